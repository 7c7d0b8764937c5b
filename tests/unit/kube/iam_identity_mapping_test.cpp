// IAMIdentityMapping objects: parsing, the controller's canonical ARN, and
// entries keyed by status.canonicalARN as upstream's CRD mapper looks them up.

#include <catch2/catch.hpp>

#include "core/kube/iam_identity_mapping.hpp"

using namespace aia::kube;
using nlohmann::json;

namespace {

json object(std::string name, std::string arn, json status = nullptr) {
    json out{{"apiVersion", "iamauthenticator.k8s.aws/v1alpha1"},
             {"kind", "IAMIdentityMapping"},
             {"metadata", {{"name", std::move(name)}, {"resourceVersion", "3"}}},
             {"spec", {{"arn", std::move(arn)}, {"username", "kubernetes-admin"}, {"groups", {"system:masters"}}}}};
    if (!status.is_null()) out["status"] = std::move(status);
    return out;
}

IdentityMapping mapping(std::string name, std::string canonical) {
    IdentityMapping out;
    out.name = std::move(name);
    out.username = "u-" + out.name;
    out.groups = {"g"};
    out.canonical_arn = std::move(canonical);
    return out;
}

}  // namespace

TEST_CASE("an IAMIdentityMapping object", "[kube]") {
    auto parsed = parse_identity_mapping(object("kubernetes-admin", "arn:aws:iam::111122223333:user/KubernetesAdmin",
                                                {{"canonicalARN", "arn:aws:iam::111122223333:user/kubernetesadmin"}}));
    REQUIRE(parsed.ok());
    CHECK(parsed->name == "kubernetes-admin");
    CHECK(parsed->resource_version == "3");
    CHECK(parsed->arn == "arn:aws:iam::111122223333:user/KubernetesAdmin");
    CHECK(parsed->username == "kubernetes-admin");
    CHECK(parsed->groups == std::vector<std::string>{"system:masters"});
    CHECK(parsed->canonical_arn == "arn:aws:iam::111122223333:user/kubernetesadmin");

    auto no_status = parse_identity_mapping(object("a", "arn:aws:iam::111122223333:role/R"));
    REQUIRE(no_status.ok());
    CHECK(no_status->canonical_arn.empty());
}

TEST_CASE("IAMIdentityMapping objects we cannot read", "[kube]") {
    json no_name = object("", "arn:aws:iam::111122223333:role/R");
    json groups_string = object("a", "x");
    groups_string["spec"]["groups"] = "system:masters";
    json groups_number = object("a", "x");
    groups_number["spec"]["groups"] = {1};
    json arn_number = object("a", "x");
    arn_number["spec"]["arn"] = 5;
    json spec_list = object("a", "x");
    spec_list["spec"] = json::array();
    for (const json& bad : {json("x"), no_name, groups_string, groups_number, arn_number, spec_list,
                            object("a", "x", {{"canonicalARN", true}}), object("a", "x", "text")}) {
        INFO(bad.dump());
        CHECK_FALSE(parse_identity_mapping(bad).ok());
    }
}

TEST_CASE("the canonical ARN the controller writes into status", "[kube]") {
    CHECK(status_canonical_arn("arn:aws:sts::111122223333:assumed-role/Admin/alice").value() ==
          "arn:aws:iam::111122223333:role/admin");
    CHECK(status_canonical_arn("arn:aws:iam::111122223333:role/Team/Ops").value() ==
          "arn:aws:iam::111122223333:role/team/ops");
    CHECK(status_canonical_arn("ARN:AWS:IAM::111122223333:USER/Bob").value() == "arn:aws:iam::111122223333:user/bob");
    CHECK_FALSE(status_canonical_arn("arn:aws:iam::111122223333:role/*").ok());
    CHECK_FALSE(status_canonical_arn("not an arn").ok());
    CHECK_FALSE(status_canonical_arn("").ok());
}

TEST_CASE("entries keyed by status.canonicalARN, roles apart from users", "[kube]") {
    std::vector<std::string> warnings;
    const auto config = identity_mappings_to_config(
        {mapping("role", "arn:aws:iam::111122223333:role/Admin"), mapping("user", "arn:aws:iam::111122223333:user/bob"),
         mapping("root", "arn:aws:iam::111122223333:root"), mapping("pending", ""),
         mapping("pattern", "arn:aws:iam::111122223333:role/*"),
         mapping("session", "arn:aws:sts::111122223333:assumed-role/Admin/alice")},
        warnings);
    REQUIRE(config.roles.size() == 1);
    CHECK(config.roles[0].arn == "arn:aws:iam::111122223333:role/admin");
    CHECK(config.roles[0].username == "u-role");
    CHECK(config.roles[0].groups == std::vector<std::string>{"g"});
    CHECK(config.roles[0].origin == "IAMIdentityMapping/role");
    REQUIRE(config.users.size() == 2);
    CHECK(config.users[0].arn == "arn:aws:iam::111122223333:user/bob");
    CHECK(config.users[1].arn == "arn:aws:iam::111122223333:root");
    CHECK(config.accounts.empty());
    REQUIRE(warnings.size() == 3);
    CHECK(warnings[0].find("IAMIdentityMapping/pending") != std::string::npos);
    CHECK(warnings[1].find("IAMIdentityMapping/pattern") != std::string::npos);
    CHECK(warnings[2].find("IAMIdentityMapping/session") != std::string::npos);
}
