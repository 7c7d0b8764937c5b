// The aws-auth ConfigMap as an API object goes through the same parser as a
// manifest or a mounted volume.

#include <catch2/catch.hpp>

#include "core/kube/aws_auth_object.hpp"

using namespace aia::kube;
using nlohmann::json;

namespace {

json config_map(json data) {
    return json{{"kind", "ConfigMap"},
                {"apiVersion", "v1"},
                {"metadata", {{"name", "aws-auth"}, {"namespace", "kube-system"}, {"resourceVersion", "5"}}},
                {"data", std::move(data)}};
}

}  // namespace

TEST_CASE("an aws-auth object feeds the aws-auth parser", "[kube]") {
    auto content = parse_aws_auth_object(
        config_map({{"mapRoles",
                     "- rolearn: arn:aws:iam::555555555555:role/nodes\n  username: system:node:{{EC2PrivateDNSName}}\n"
                     "  groups: [system:bootstrappers, system:nodes]\n"},
                    {"mapUsers", "- userarn: arn:aws:iam::555555555555:user/admin\n  username: admin\n"},
                    {"mapAccounts", "- \"555555555555\"\n"}}));
    REQUIRE(content.ok());
    REQUIRE(content->config.roles.size() == 1);
    CHECK(content->config.roles[0].arn == "arn:aws:iam::555555555555:role/nodes");
    CHECK(content->config.roles[0].groups == std::vector<std::string>{"system:bootstrappers", "system:nodes"});
    REQUIRE(content->config.users.size() == 1);
    CHECK(content->config.users[0].username == "admin");
    CHECK(content->config.accounts == std::vector<std::string>{"555555555555"});
}

TEST_CASE("data keys are case-sensitive, as upstream", "[kube]") {
    auto content = parse_aws_auth_object(config_map({{"maproles", "- rolearn: arn:aws:iam::555555555555:role/r\n"}}));
    REQUIRE(content.ok());
    CHECK(content->config.roles.empty());
    REQUIRE(content->warnings.size() == 1);
    CHECK(content->warnings[0].find("case-sensitive") != std::string::npos);
}

TEST_CASE("a ConfigMap without data maps nobody", "[kube]") {
    json no_data = config_map(nullptr);
    auto content = parse_aws_auth_object(no_data);
    REQUIRE(content.ok());
    CHECK(content->config.roles.empty());
    no_data.erase("data");
    no_data.erase("kind");
    CHECK(config_map_data(no_data)->empty());
}

TEST_CASE("objects that are not a usable ConfigMap", "[kube]") {
    for (const json& bad : {json::array(), json{{"kind", "Secret"}, {"data", json::object()}}, json{{"kind", 5}},
                            config_map(json::array()), config_map({{"mapRoles", 5}}),
                            config_map({{"mapRoles", json::array({"- rolearn: x"})}})}) {
        INFO(bad.dump());
        CHECK_FALSE(config_map_data(bad).ok());
    }
    auto yaml = parse_aws_auth_object(config_map({{"mapRoles", "- rolearn: [unclosed\n"}}));
    REQUIRE_FALSE(yaml.ok());
    CHECK(yaml.error().where == "data.mapRoles");
    auto typed = config_map_data(config_map({{"mapUsers", true}}));
    REQUIRE_FALSE(typed.ok());
    CHECK(typed.error().where == "data.mapUsers");
}
