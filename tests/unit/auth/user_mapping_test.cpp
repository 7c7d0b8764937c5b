#include <catch2/catch.hpp>

#include "core/auth/outcome.hpp"
#include "core/auth/user_mapping.hpp"

using namespace aia;

namespace {

identity::Identity session(std::string name = "alice@example.com") {
    identity::Identity id;
    id.arn = "arn:aws:sts::111122223333:assumed-role/Admin/" + name;
    id.canonical_arn = "arn:aws:iam::111122223333:role/Admin";
    id.principal_type = arn::PrincipalType::AssumedRole;
    id.account_id = "111122223333";
    id.user_id = "AROAEXAMPLE";
    id.session_name = std::move(name);
    id.access_key_id = "ASIAEXAMPLE";
    id.sts_host = "sts.us-west-2.amazonaws.com";
    return id;
}

mapping::StaticMapper mapper() {
    std::vector<std::string> warnings;
    auto built = mapping::StaticMapper::build(
        {.roles = {{"arn:aws:iam::111122223333:role/Admin", "admin:{{SessionName}}", {"system:masters", "k:{{AccountID}}"}},
                   {"arn:aws:iam::111122223333:role/Node", "system:node:{{EC2PrivateDNSName}}", {"system:nodes"}}},
         .accounts = {"444455556666"}},
        warnings);
    REQUIRE(built.ok());
    return std::move(built).value();
}

}  // namespace

TEST_CASE("a mapped identity becomes upstream's user", "[user-mapping]") {
    const auto user = auth::map_identity(session(), mapper(), {});
    REQUIRE(user.ok());
    CHECK(user->username == "admin:alice-example.com");
    CHECK(user->uid == "aws-iam-authenticator:111122223333:AROAEXAMPLE");
    CHECK(user->groups == std::vector<std::string>{"system:masters", "k:111122223333"});
    using Extra = decltype(user->extra);
    CHECK(user->extra == Extra{{"arn", {"arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com"}},
                               {"canonicalArn", {"arn:aws:iam::111122223333:role/Admin"}},
                               {"sessionName", {"alice@example.com"}},
                               {"accessKeyId", {"ASIAEXAMPLE"}},
                               {"principalId", {"AROAEXAMPLE"}},
                               {"sigs.k8s.io/aws-iam-authenticator/principalId", {"AROAEXAMPLE"}}});
}

TEST_CASE("scrubbed accounts reveal nothing", "[user-mapping]") {
    const auto user = auth::map_identity(session(), mapper(), {.scrubbed_accounts = {"111122223333"}});
    REQUIRE(user.ok());
    CHECK(user->uid == "aws-iam-authenticator:administrative:admin:alice-example.com");
    CHECK(user->extra.empty());
}

TEST_CASE("account mappings use the canonical ARN and no groups", "[user-mapping]") {
    identity::Identity id = session();
    id.account_id = "444455556666";
    id.canonical_arn = "arn:aws:iam::444455556666:role/Whatever";
    const auto user = auth::map_identity(id, mapper(), {});
    REQUIRE(user.ok());
    CHECK(user->username == "arn:aws:iam::444455556666:role/Whatever");
    CHECK(user->groups.empty());
}

TEST_CASE("unmapped identities and unrenderable templates are failures", "[user-mapping]") {
    identity::Identity stranger = session();
    stranger.canonical_arn = "arn:aws:iam::111122223333:role/Stranger";
    CHECK(auth::map_identity(stranger, mapper(), {}).error().message == "identity is not mapped");

    identity::Identity node = session("i-0123456789abcdef0");
    node.canonical_arn = "arn:aws:iam::111122223333:role/Node";
    CHECK(auth::mapping_needs_ec2_lookup(node, mapper()));
    CHECK_FALSE(auth::mapping_needs_ec2_lookup(session(), mapper()));
    CHECK_THAT(auth::map_identity(node, mapper(), {}).error().message,
               Catch::StartsWith("error rendering username template \"system:node:{{EC2PrivateDNSName}}\""));
    const auto resolved = auth::map_identity(node, mapper(), {}, std::string("ip-10-0-0-1.ec2.internal"));
    REQUIRE(resolved.ok());
    CHECK(resolved->username == "system:node:ip-10-0-0-1.ec2.internal");
}

TEST_CASE("outcomes map to upstream's status codes and metric labels", "[user-mapping]") {
    using auth::Outcome;
    CHECK(auth::http_status(Outcome::Success) == 200);
    CHECK(auth::http_status(Outcome::MalformedRequest) == 400);
    CHECK(auth::http_status(Outcome::InvalidToken) == 403);
    CHECK(auth::http_status(Outcome::StsError) == 403);
    CHECK(auth::http_status(Outcome::StsThrottling) == 429);
    CHECK(auth::http_status(Outcome::UnknownUser) == 403);
    CHECK(auth::metric_label(Outcome::UnknownUser) == "uknown_user");
    CHECK(auth::metric_label(Outcome::StsThrottling) == "sts_throttling");
    CHECK(auth::metric_label(Outcome::MalformedRequest) == "malformed_request");
}
