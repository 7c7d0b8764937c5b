// The aws-auth ConfigMap, with the quirks of upstream's fixtures
// (pkg/mapper/configmap/yaml/aws-auth-*.yaml), written here anew.

#include <catch2/catch.hpp>

#include "core/mapping/aws_auth.hpp"

using namespace aia::mapping;

namespace {

std::string manifest(std::string_view data_block) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n" +
           std::string(data_block);
}

AwsAuthContent parse(std::string_view text) {
    auto data = parse_config_map_manifest(text);
    if (!data) FAIL(data.error().where << ": " << data.error().what);
    auto content = parse_aws_auth_data(*data);
    if (!content) FAIL(content.error().where << ": " << content.error().what);
    return std::move(content).value();
}

const char* kStandard = R"(  mapRoles: |
    - rolearn: arn:aws:iam::555555555555:role/devel-worker-nodes-NodeInstanceRole-74RF4UBDUKL6
      username: system:node:{{EC2PrivateDNSName}}
      groups:
        - system:bootstrappers
        - system:nodes
  mapUsers: |
    - userarn: arn:aws:iam::555555555555:user/admin
      username: admin
      groups:
        - system:masters
  mapAccounts: |
    - 555555555555
)";

}  // namespace

TEST_CASE("the aws-auth ConfigMap of the EKS documentation", "[aws-auth]") {
    const AwsAuthContent content = parse(manifest(kStandard));
    REQUIRE(content.config.roles.size() == 1);
    CHECK(content.config.roles[0].arn ==
          "arn:aws:iam::555555555555:role/devel-worker-nodes-NodeInstanceRole-74RF4UBDUKL6");
    CHECK(content.config.roles[0].username == "system:node:{{EC2PrivateDNSName}}");
    CHECK(content.config.roles[0].groups == std::vector<std::string>{"system:bootstrappers", "system:nodes"});
    CHECK(content.config.roles[0].origin == "mapRoles[0]");
    REQUIRE(content.config.users.size() == 1);
    CHECK(content.config.users[0].username == "admin");
    CHECK(content.config.accounts == std::vector<std::string>{"555555555555"});
    CHECK(content.warnings.empty());
}

TEST_CASE("entry field names in any letter case", "[aws-auth]") {
    const AwsAuthContent content = parse(manifest(R"(  mapRoles: |
    - rOlEaRn: arn:aws:iam::555555555555:role/r
      UsErNaMe: u
      gRoUpS: [g]
  mapUsers: |
    - userARN: arn:aws:iam::555555555555:user/admin
      username: admin
)"));
    CHECK(content.config.roles[0].arn == "arn:aws:iam::555555555555:role/r");
    CHECK(content.config.roles[0].username == "u");
    CHECK(content.config.roles[0].groups == std::vector<std::string>{"g"});
    CHECK(content.config.users[0].arn == "arn:aws:iam::555555555555:user/admin");
}

TEST_CASE("data keys are case-sensitive", "[aws-auth]") {
    const AwsAuthContent content = parse(manifest(R"(  MaPrOlEs: |
    - rolearn: arn:aws:iam::555555555555:role/r
      username: u
  mapusers: |
    - userarn: arn:aws:iam::555555555555:user/admin
      username: admin
)"));
    CHECK(content.config.roles.empty());
    CHECK(content.config.users.empty());
    CHECK(content.warnings == std::vector<std::string>{"data.MaPrOlEs: data keys are case-sensitive; ignored",
                                                       "data.mapusers: data keys are case-sensitive; ignored"});
}

TEST_CASE("a mis-indented group folds into the one before", "[aws-auth]") {
    const AwsAuthContent content = parse(manifest(R"(  mapRoles: |
    - rolearn: arn:aws:iam::555555555555:role/r
      username: u
      groups:
        - system:bootstrappers
         - system:nodes
)"));
    CHECK(content.config.roles[0].groups == std::vector<std::string>{"system:bootstrappers - system:nodes"});
}

TEST_CASE("a missing | makes the ConfigMap invalid", "[aws-auth]") {
    const auto data = parse_config_map_manifest(manifest(R"(  mapRoles:
    - rolearn: arn:aws:iam::555555555555:role/r
      username: u
)"));
    REQUIRE_FALSE(data.ok());
    CHECK(data.error().where == "data.mapRoles");
    CHECK_THAT(data.error().what, Catch::Contains("missing \"|\""));
}

TEST_CASE("empty values mean no entries", "[aws-auth]") {
    for (const char* empty : {"\"\"", "''", "``", "   ", "|\n    \n"}) {
        INFO(empty);
        const auto content = parse_aws_auth_data({{"mapRoles", empty}, {"mapUsers", ""}, {"mapAccounts", empty}});
        REQUIRE(content.ok());
        CHECK(content->config.roles.empty());
        CHECK(content->config.accounts.empty());
    }
}

TEST_CASE("sso entries and quoted accounts", "[aws-auth]") {
    const auto content = parse_aws_auth_data(
        {{"mapRoles", "- sso:\n    permissionSetName: Admin\n    accountID: \"111122223333\"\n  username: sso-admin\n"},
         {"mapAccounts", "- \"012345678901\"\n- 012345678902\n"}});
    REQUIRE(content.ok());
    REQUIRE(content->config.roles[0].sso.has_value());
    CHECK(content->config.roles[0].sso->permission_set_name == "Admin");
    CHECK(content->config.roles[0].sso->account_id == "111122223333");
    CHECK(content->config.accounts == std::vector<std::string>{"012345678901", "012345678902"});
}

TEST_CASE("broken documents are refused as a whole, with the line", "[aws-auth]") {
    const auto bad_yaml = parse_aws_auth_data({{"mapRoles", "- rolearn: [unclosed\n  username: u\n"}});
    REQUIRE_FALSE(bad_yaml.ok());
    CHECK(bad_yaml.error().where == "data.mapRoles");
    CHECK_THAT(bad_yaml.error().what, Catch::StartsWith("not valid YAML: line "));

    const auto wrong_shape = parse_aws_auth_data({{"mapRoles", "rolearn: x\n"}});
    REQUIRE_FALSE(wrong_shape.ok());
    CHECK(wrong_shape.error().what == "must be a list");

    CHECK(parse_config_map_manifest("kind: Secret\ndata: {}\n").error().what == "kind is not ConfigMap");
    CHECK_THAT(parse_config_map_manifest("data: [\n").error().what, Catch::StartsWith("not valid YAML"));
    // A ConfigMap without data is an empty one.
    CHECK(parse_config_map_manifest("kind: ConfigMap\n")->empty());
}

TEST_CASE("YAML aliases cannot expand a small document into a huge table", "[aws-auth]") {
    std::string roles = "- &e\n  rolearn: arn:aws:iam::111122223333:role/r\n  username: u\n  groups: &g [";
    for (int i = 0; i < 900; ++i) roles += (i ? ",g" : "g") + std::to_string(i);
    roles += "]\n";
    for (int i = 0; i < 2000; ++i) roles += "- *e\n";  // 2001 entries x 900 groups, from ~20 KiB
    const auto content = parse_aws_auth_data({{"mapRoles", roles}});
    REQUIRE_FALSE(content.ok());
    CHECK_THAT(content.error().what, Catch::StartsWith("has more than 500000 groups in all"));
}
