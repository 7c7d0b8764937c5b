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
    CHECK(parse_dynamic_file(R"({"mapRoles": [{"rolearn": 5}]})", false).error() ==
          "mapRoles[0].rolearn is not a string");
    CHECK(parse_dynamic_file(R"({"mapAccounts": [1]})", false).error() ==
          "mapAccounts holds a value that is not a string");
    CHECK(parse_dynamic_file(std::string(100, '[') + std::string(100, ']'), false).error() == "nested too deeply");
}

TEST_CASE("field names fold as Go's encoding/json folds them", "[dynamic-file]") {
    // U+017F (long s) and U+212A (Kelvin sign) fold to s and k in Go; upstream
    // reads such keys as the fields they fold to, and so do we.
    const auto content = parse_dynamic_file(
        "{\"mapRoles\": [{\"ROLEARN\": \"arn:aws:iam::111122223333:role/A\", \"u\xC5\xBF"
        "ername\": \"a\"}],"
        " \"MAPUSERS\": [{\"userarn\": \"arn:aws:iam::111122223333:user/b\", \"username\": \"b\"}]}",
        false);
    REQUIRE(content.ok());
    REQUIRE(content->config.roles.size() == 1);
    CHECK(content->config.roles[0].arn == "arn:aws:iam::111122223333:role/A");
    CHECK(content->config.roles[0].username == "a");
    REQUIRE(content->config.users.size() == 1);
    CHECK(content->warnings.empty());
}

TEST_CASE("a field given twice in an entry, in any letter case, refuses that entry", "[dynamic-file]") {
    // Go takes the last of the two; a reader that took the first would map
    // another principal. Neither guess is safe: the entry is refused.
    for (const char* twice :
         {R"("rolearn": "arn:aws:iam::111122223333:role/A", "RoleARN": "arn:aws:iam::111122223333:role/B")",
          R"("rolearn": "arn:aws:iam::111122223333:role/A", "rolearn": "arn:aws:iam::111122223333:role/B")",
          "\"rolearn\": \"arn:aws:iam::111122223333:role/A\", \"username\": \"x\", \"u\xC5\xBF"
          "ername\": \"y\"",
          R"("rolearn": "arn:aws:iam::111122223333:role/A", "groups": ["a"], "GROUPS": ["system:masters"])"}) {
        INFO(twice);
        const std::string file =
            std::string(R"({"mapRoles": [{"rolearn": "arn:aws:iam::111122223333:role/Good", "username": "good"},
                                                         {)") +
            twice + R"(, "username": "u"}]})";
        const auto content = parse_dynamic_file(file, false);
        REQUIRE(content.ok());
        REQUIRE(content->config.roles.size() == 1);
        CHECK(content->config.roles[0].username == "good");
        REQUIRE(content->warnings.size() == 1);
        CHECK_THAT(content->warnings[0], Catch::StartsWith("mapRoles[1]: field ") &&
                                             Catch::EndsWith(" is given twice (in some letter case); which one counts "
                                                             "is ambiguous; entry ignored"));
    }
    // Keys that are no field of an entry may repeat (Go ignores them), and
    // the same field in two entries is no duplicate.
    const auto fine = parse_dynamic_file(
        R"({"mapUsers": [{"userarn": "arn:aws:iam::111122223333:user/a", "username": "a", "note": 1, "NOTE": 2},
                         {"userarn": "arn:aws:iam::111122223333:user/b", "username": "b"}]})",
        false);
    REQUIRE(fine.ok());
    CHECK(fine->config.users.size() == 2);
}

TEST_CASE("a file field given twice refuses the whole file", "[dynamic-file]") {
    CHECK(parse_dynamic_file(
              R"({"mapRoles": [], "MapRoles": [{"rolearn": "arn:aws:iam::111122223333:role/A", "username": "a"}]})",
              false)
              .error() == "field \"MapRoles\" is given twice (in some letter case); which one counts is ambiguous");
    CHECK_FALSE(parse_dynamic_file(R"({"mapAccounts": ["111122223333"], "mapaccounts": []})", false).ok());
    CHECK_FALSE(parse_dynamic_file(R"({"Version": "1", "version": "2"})", false).ok());
}
