#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "core/config/settings.hpp"
#include "core/util/ascii.hpp"

using namespace aia;
using config::Setting;

namespace {

constexpr std::string_view kBegin = "<!-- settings reference: begin -->\n";
constexpr std::string_view kEnd = "<!-- settings reference: end -->";

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A value for the setting that is not its default, written as a flag takes it.
std::string other_value(const Setting& setting) {
    const std::string_view p = setting.value.placeholder;
    if (setting.value.is_switch) return "true";
    if (p == "DURATION") return "1m30s";
    if (p == "PORT") return "8443";
    if (p == "N") return "7";
    if (p == "SIZE") return "64Ki";
    if (setting.key == "server.partition") return "aws-cn";
    if (setting.key == "log-format") return "json";
    if (setting.key == "log-verbosity") return "debug";
    if (setting.key == "feature-gates") return "SSORoleMatch=true";
    if (setting.value.is_list) return "a,b";
    return "something-else";
}

}  // namespace

TEST_CASE("every setting is described once", "[settings]") {
    std::set<std::string> keys, flags, envs;
    std::set<std::string_view> groups_done;
    std::string_view group;
    for (const Setting& setting : config::settings()) {
        INFO(setting.key << " " << setting.flag);
        CHECK(!setting.doc.empty());
        CHECK(!setting.group.empty());
        CHECK((!setting.key.empty() || !setting.flag.empty()));
        if (!setting.key.empty()) CHECK(keys.insert(ascii::to_lower(setting.key)).second);
        if (!setting.flag.empty()) CHECK(flags.insert(std::string(setting.flag)).second);
        if (!setting.env.empty()) CHECK(envs.insert(std::string(setting.env)).second);
        if (setting.value.read_node) CHECK(setting.flag.empty());  // a flag cannot carry a YAML structure
        if (setting.group != group) {  // a group's settings sit together, so the reference has one table each
            CHECK(groups_done.insert(setting.group).second);
            group = setting.group;
        }
        if (!setting.key.empty()) CHECK(config::find_setting_by_key(ascii::to_lower(setting.key)) == &setting);
        if (!setting.flag.empty()) CHECK(config::find_setting_by_flag(setting.flag) == &setting);
    }
    CHECK(config::find_setting_by_key("server.nonsense") == nullptr);
    CHECK(config::find_setting_by_key("server") == nullptr);
}

TEST_CASE("the defaults pass every check but the required cluster ID", "[settings]") {
    config::ServerConfig defaults;
    CHECK_THAT(config::validate(defaults).error(),
               Catch::StartsWith("config key clusterID: cluster ID cannot be empty"));
    defaults.cluster_id = "c";
    CHECK(config::validate(defaults).ok());
}

TEST_CASE("a value reads the same from the file, the environment and a flag", "[settings]") {
    for (const Setting& setting : config::settings()) {
        if (setting.value.read_node) continue;
        const std::string text = other_value(setting);
        INFO(setting.key << " " << setting.flag << " = " << text);
        config::Warnings warnings;

        config::ServerConfig from_text;
        REQUIRE(config::apply_text(setting, from_text, std::array{text}, "flag", warnings).ok());
        const std::string shown = config::show_value(setting, from_text);
        CHECK(shown != config::show_value(setting, config::ServerConfig{}));

        if (!setting.key.empty()) {
            const std::string leaf(setting.key.substr(setting.key.find('.') + 1));
            const std::string yaml = setting.key.starts_with("server.")
                                         ? "server:\n  " + leaf + ": \"" + text + "\"\n"
                                         : std::string(setting.key) + ": \"" + text + "\"\n";
            auto parsed = config::parse_server_config(yaml);
            REQUIRE(parsed.ok());
            CHECK(config::show_value(setting, parsed->config) == shown);
            CHECK(parsed->warnings.empty());
        }
        if (!setting.env.empty()) {
            config::ServerConfig from_env;
            const auto getenv = [&](const char* name) { return name == setting.env ? text.c_str() : nullptr; };
            REQUIRE(config::apply_environment(from_env, getenv, warnings).ok());
            CHECK(config::show_value(setting, from_env) == shown);
        }
    }
}

TEST_CASE("a bad value names where it came from", "[settings]") {
    config::ServerConfig c;
    config::Warnings warnings;
    const Setting& port = *config::find_setting_by_flag("port");
    CHECK(config::apply_text(port, c, std::array{std::string("99999")}, config::describe_flag(port), warnings)
              .error()
              .message() == "flag --port: must be a port number from 0 to 65535, not \"99999\"");
    const auto getenv = [](const char* name) {
        return std::string_view(name) == "AWS_IAM_AUTHENTICATOR_LOG_VERBOSITY" ? "" : nullptr;
    };
    CHECK(config::apply_environment(c, getenv, warnings).ok());  // empty is unset
    CHECK(c.log_verbosity == "info");
    const Setting& threads = *config::find_setting_by_flag("threads");
    CHECK(config::apply_text(threads, c, std::array{std::string("0")}, "flag --threads", warnings).error().what ==
          "must be a whole number from 1 to 256, not \"0\"");
}

TEST_CASE("lists split on commas and spaces from every source", "[settings]") {
    config::ServerConfig c;
    config::Warnings warnings;
    const Setting& modes = *config::find_setting_by_flag("backend-mode");
    REQUIRE(config::apply_text(modes, c, std::array{std::string("File, DynamicFile"), std::string("EKSConfigMapFile")},
                               "flag --backend-mode", warnings)
                .ok());
    CHECK(c.backend_mode == std::vector<std::string>{"File", "DynamicFile", "EKSConfigMapFile"});
    CHECK(config::parse_server_config("server:\n  backendMode: [File]\n")->config.backend_mode ==
          std::vector<std::string>{"File"});
    CHECK(config::parse_server_config("server:\n  backendMode:\n")->config.backend_mode.empty());
}

TEST_CASE("docs/configuration.md holds the reference the table generates", "[settings]") {
    const std::string path = std::string(AIA_DOCS_DIR) + "/configuration.md";
    std::string doc = read_text(path);
    const std::size_t begin = doc.find(kBegin);
    const std::size_t end = doc.find(kEnd);
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    const std::size_t from = begin + kBegin.size();
    const std::string generated = config::settings_reference_markdown();
    if (const char* update = std::getenv("AIA_UPDATE_DOCS"); update && std::string_view(update) == "1") {
        doc.replace(from, end - from, generated);
        std::ofstream(path) << doc;
        WARN("rewrote " << path);
    }
    INFO("regenerate with: AIA_UPDATE_DOCS=1 build/release/tests/unit_tests '[settings]'");
    CHECK(doc.substr(from, end - from) == generated);
}
