#include <catch2/catch.hpp>

#include "core/mapping/dynamic_file.hpp"

using namespace aia::mapping;

namespace {

constexpr std::string_view kFile = R"({
  "Version": "7",
  "LastUpdatedDateTime": "1700000000",
  "ClusterId": "000000000098",
  "mapRoles": [
    {"rolearn": "arn:aws:iam::000000000098:role/KubernetesAdmin", "username": "kubernetes-admin",
     "groups": ["system:masters"], "userid": "AROAADMIN"}
  ],
  "mapUsers": [
    {"UserARN": "arn:aws:iam::000000000000:user/Alice", "username": "alice", "groups": ["system:masters"],
     "userid": "AIDAALICE"}
  ],
  "mapAccounts": ["012345678901", "456789012345"]
})";

}  // namespace

TEST_CASE("upstream's DynamicFile format", "[dynamic-file]") {
    const auto content = parse_dynamic_file(kFile, false);
    REQUIRE(content.ok());
    CHECK(content->version == "7");
    CHECK(content->updated_at == 1700000000);
    REQUIRE(content->config.roles.size() == 1);
    CHECK(content->config.roles[0].arn == "arn:aws:iam::000000000098:role/KubernetesAdmin");
    CHECK(content->config.roles[0].user_id == "AROAADMIN");
    CHECK(content->config.roles[0].origin == "mapRoles[0]");
    REQUIRE(content->config.users.size() == 1);
    CHECK(content->config.users[0].arn == "arn:aws:iam::000000000000:user/Alice");  // field names in any case
    CHECK(content->config.accounts == std::vector<std::string>{"012345678901", "456789012345"});
}

TEST_CASE("an entry without its key refuses the whole file, as upstream", "[dynamic-file]") {
    CHECK(parse_dynamic_file(R"({"mapRoles":[{"username":"x"}]})", false).error() ==
          "mapRoles[0]: value for rolearn must be supplied");
    CHECK(parse_dynamic_file(R"({"mapUsers":[{"userarn":"arn:aws:iam::1:user/a","username":"x"}]})", true).error() ==
          "mapUsers[0]: value for userid must be supplied (dynamicfileUserIDStrict is on)");
    CHECK(parse_dynamic_file(R"({"mapRoles":[{"userid":"AROA1","username":"x"}]})", true).ok());
}

TEST_CASE("broken DynamicFiles are refused", "[dynamic-file]") {
    CHECK(parse_dynamic_file("", false).error() == "not valid JSON");
    CHECK(parse_dynamic_file(R"({"mapRoles": [)", false).error() == "not valid JSON");  // a truncated write
    CHECK(parse_dynamic_file("[]", false).error() == "not a JSON object");
    CHECK(parse_dynamic_file(R"({"mapRoles": {}})", false).error() == "mapRoles is not a list");
    CHECK(parse_dynamic_file(R"({"mapRoles": [{"rolearn": 5}]})", false).error() == "mapRoles[0].rolearn is not a string");
    CHECK(parse_dynamic_file(R"({"mapAccounts": [1]})", false).error() == "mapAccounts holds a value that is not a string");
    CHECK(parse_dynamic_file(std::string(100, '[') + std::string(100, ']'), false).error() == "nested too deeply");
}
