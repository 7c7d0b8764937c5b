// MappingSources' chain and its API sources, without files or sockets: the
// content a watcher hands over becomes the table requests see; a bad change
// keeps the last good table; the chain switches whole, loading or starting
// what joins it, and refuses what cannot run.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "app/logger.hpp"
#include "app/mapping_sources.hpp"
#include "app/metrics.hpp"
#include "support/captured_log.hpp"
#include "support/temp_dir.hpp"

using namespace aia;

namespace {

app::SourceSpec spec(std::string name, std::string path = {}, std::string api_object = {}) {
    app::SourceSpec s;
    s.name = std::move(name);
    s.path = std::move(path);
    s.api_object = std::move(api_object);
    return s;
}

app::SourceContent one_user(const std::string& arn, const std::string& username) {
    app::SourceContent content;
    content.config.users.push_back({.arn = arn, .username = username, .groups = {"g"}, .user_id = {}, .origin = {}});
    return content;
}

std::vector<std::string> names(const std::vector<auth::SourceSnapshot>& snapshot) {
    std::vector<std::string> out;
    for (const auto& source : snapshot) out.emplace_back(source.name);
    return out;
}

constexpr const char* kBob = "arn:aws:iam::111122223333:user/bob";

struct Sources {
    test::CapturedLog captured;
    app::Logger log{app::LogFormat::Text, "info", captured.fd};
    app::Metrics metrics;
    app::MappingSources sources;

    explicit Sources(std::vector<app::SourceSpec> specs) : sources(std::move(specs), {}, log, metrics) {}
};

}  // namespace

TEST_CASE("an API source serves what its watcher hands over, and keeps it through a bad change", "[mapping]") {
    Sources s({spec("EKSConfigMap", {}, "configmaps kube-system/aws-auth")});
    s.sources.load_all();
    CHECK(s.sources.api_sources() == std::vector<std::string>{"EKSConfigMap"});
    CHECK(s.sources.snapshot().at(0).table == nullptr);
    s.sources.api_source_failed("EKSConfigMap", "HTTP 403 Forbidden");
    CHECK(s.sources.never_loaded() ==
          std::vector<std::pair<std::string, std::string>>{{"EKSConfigMap", "HTTP 403 Forbidden"}});

    s.sources.apply_api_content("EKSConfigMap", one_user(kBob, "bob"));
    const auto table = s.sources.snapshot().at(0).table;
    REQUIRE(table != nullptr);
    CHECK(table->user_count() == 1);
    CHECK(s.sources.never_loaded().empty());

    s.sources.apply_api_content("EKSConfigMap", fail(std::string("data.mapUsers: line 1: bad YAML")));
    CHECK(s.sources.snapshot().at(0).table == table);  // the last good one
    const std::string log = s.captured.text();
    CHECK(log.find("mapping source did not load; the last good table stays in force") != std::string::npos);
    CHECK(log.find("object=\"configmaps kube-system/aws-auth\"") != std::string::npos);

    s.sources.apply_api_content("EKSConfigMap", app::SourceContent{});  // deleted: empty, as upstream
    CHECK(s.sources.snapshot().at(0).table->user_count() == 0);
    s.sources.apply_api_content("CRD", one_user(kBob, "ignored"));  // no such source here: nothing happens
    CHECK(s.sources.snapshot().size() == 1);
}

TEST_CASE("the chain switches whole, what joins loaded or started first", "[mapping]") {
    test::TempDir dir;
    const std::string dynamic =
        dir.write("dynamic.json", R"({"mapUsers": [{"userarn": "arn:aws:iam::111122223333:user/bob", "username": "b"}]})");
    Sources s({spec("MountedFile"), spec("DynamicFile", dynamic), spec("CRD", {}, "iamidentitymappings")});
    std::vector<std::string> started;
    bool refuse = false;
    s.sources.set_api_source_starter([&](std::string_view source) -> Result<bool, std::string> {
        if (refuse) return fail(std::string("no kubeconfig"));
        started.emplace_back(source);
        return true;
    });
    REQUIRE(s.sources.set_chain({"File"}).ok());
    s.sources.load_all();
    CHECK(names(s.sources.snapshot()) == std::vector<std::string>{"MountedFile"});
    CHECK(started.empty());

    // DynamicFile joins: loaded before requests can see it.
    REQUIRE(s.sources.set_chain({"DynamicFile", "MountedFile"}).ok());
    const auto snapshot = s.sources.snapshot();
    CHECK(names(snapshot) == std::vector<std::string>{"DynamicFile", "MountedFile"});
    REQUIRE(snapshot.at(0).table != nullptr);
    CHECK(snapshot.at(0).table->user_count() == 1);

    // An API source joins: started once, however often it comes back.
    refuse = true;
    CHECK(s.sources.set_chain({"CRD"}).error() == "backend-mode \"CRD\" creation failed: no kubeconfig");
    CHECK(s.sources.chain() == std::vector<std::string>{"DynamicFile", "MountedFile"});
    refuse = false;
    REQUIRE(s.sources.set_chain({"CRD", "MountedFile"}).ok());
    REQUIRE(s.sources.set_chain({"MountedFile"}).ok());
    REQUIRE(s.sources.set_chain({"CRD"}).ok());
    CHECK(started == std::vector<std::string>{"CRD", "CRD"});  // the starter decides what "again" means
    CHECK(s.sources.never_loaded() == std::vector<std::pair<std::string, std::string>>{{"CRD", ""}});

    CHECK(s.sources.set_chain({"EKSConfigMapFile"}).error() ==
          "backend-mode \"EKSConfigMapFile\" cannot run with this configuration");
    CHECK(s.sources.set_chain({}).error() == "no backend mode given");
    CHECK(s.sources.chain() == std::vector<std::string>{"CRD"});
}
