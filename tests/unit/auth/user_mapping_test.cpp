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

// One MountedFile source with a role, a node role and an account.
std::vector<auth::SourceSnapshot> sources(std::vector<std::string> reserved = {}) {
    std::vector<std::string> problems;
    mapping::MappingConfig config{.roles = {{.arn = "arn:aws:iam::111122223333:role/Admin",
                                             .username = "admin:{{SessionName}}",
                                             .groups = {"system:masters", "k:{{AccountID}}"},
                                             .origin = "mapRoles[0]"},
                                            {.arn = "arn:aws:iam::111122223333:role/Node",
                                             .username = "system:node:{{EC2PrivateDNSName}}",
                                             .groups = {"system:nodes"},
                                             .origin = "mapRoles[1]"}},
                                  .accounts = {"444455556666"}};
    auto table = std::make_shared<const mapping::MappingTable>(mapping::MappingTable::build(config, {}, problems));
    REQUIRE(problems.empty());
    return {{"MountedFile", table, std::move(reserved)}};
}
}  // namespace

TEST_CASE("a mapped identity becomes upstream's user", "[user-mapping]") {
    const auto mapped = auth::map_identity(session(), sources(), {});
    REQUIRE(mapped.ok());
    CHECK(mapped->source == "MountedFile");
    CHECK(mapped->origin == "mapRoles[0]");
    CHECK(mapped->kind == mapping::MatchKind::ExactArn);
    const review::ReviewedUser* user = &mapped->user;
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
    const auto mapped = auth::map_identity(session(), sources(), {.scrubbed_accounts = {"111122223333"}});
    REQUIRE(mapped.ok());
    const review::ReviewedUser* user = &mapped->user;
    CHECK(user->uid == "aws-iam-authenticator:administrative:admin:alice-example.com");
    CHECK(user->extra.empty());
}

TEST_CASE("account mappings use the canonical ARN and no groups", "[user-mapping]") {
    identity::Identity id = session();
    id.account_id = "444455556666";
    id.canonical_arn = "arn:aws:iam::444455556666:role/Whatever";
    const auto mapped = auth::map_identity(id, sources(), {});
    REQUIRE(mapped.ok());
    CHECK(mapped->kind == mapping::MatchKind::Account);
    const review::ReviewedUser* user = &mapped->user;
    CHECK(user->username == "arn:aws:iam::444455556666:role/Whatever");
    CHECK(user->groups.empty());
}

TEST_CASE("unmapped identities and unrenderable templates are failures", "[user-mapping]") {
    identity::Identity stranger = session();
    stranger.canonical_arn = "arn:aws:iam::111122223333:role/Stranger";
    CHECK(auth::map_identity(stranger, sources(), {}).error().message == "identity is not mapped");

    identity::Identity node = session("i-0123456789abcdef0");
    node.canonical_arn = "arn:aws:iam::111122223333:role/Node";
    CHECK(auth::mapping_needs_ec2_lookup(node, sources()));
    CHECK_FALSE(auth::mapping_needs_ec2_lookup(session(), sources()));
    CHECK_THAT(auth::map_identity(node, sources(), {}).error().message,
               Catch::StartsWith("error rendering username template \"system:node:{{EC2PrivateDNSName}}\""));
    const auto resolved = auth::map_identity(node, sources(), {}, std::string("ip-10-0-0-1.ec2.internal"));
    REQUIRE(resolved.ok());
    CHECK(resolved->user.username == "system:node:ip-10-0-0-1.ec2.internal");
}

TEST_CASE("sources are tried in order, the first that maps wins", "[user-mapping]") {
    std::vector<std::string> problems;
    auto dynamic = std::make_shared<const mapping::MappingTable>(
        mapping::MappingTable::build({.roles = {{.arn = "arn:aws:iam::111122223333:role/Admin",
                                                 .username = "from-dynamic",
                                                 .origin = "mapRoles[0]"}}},
                                     {}, problems));
    std::vector<auth::SourceSnapshot> chain = sources();
    chain.insert(chain.begin(), {"DynamicFile", dynamic, {}});
    CHECK(auth::map_identity(session(), chain, {})->user.username == "from-dynamic");
    // A source that has not loaded yet is skipped.
    chain[0].table = nullptr;
    CHECK(auth::map_identity(session(), chain, {})->source == "MountedFile");
    // A source's mapAccounts wins over later sources, as upstream.
    identity::Identity other = session();
    other.account_id = "444455556666";
    other.canonical_arn = "arn:aws:iam::444455556666:role/Admin";
    chain.push_back({"DynamicFile", dynamic, {}});
    CHECK(auth::map_identity(other, chain, {})->kind == mapping::MatchKind::Account);
}

TEST_CASE("reserved username prefixes deny, in upstream's words", "[user-mapping]") {
    const auto denied = auth::map_identity(session(), sources({"aws:", "admin:"}), {});
    REQUIRE_FALSE(denied.ok());
    CHECK(denied.error().message ==
          "invalid username 'admin:alice-example.com' for mapper MountedFile: username must not begin with with the "
          "following prefixes: [aws: admin:]");
    CHECK(auth::map_identity(session(), sources({"system:"}), {}).ok());
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

TEST_CASE("an empty rendered username or group denies", "[user-mapping]") {
    // A node EC2 knows no name for (pending, terminated): never "system:node:".
    identity::Identity node = session("i-0123456789abcdef0");
    node.canonical_arn = "arn:aws:iam::111122223333:role/Node";
    CHECK_THAT(auth::map_identity(node, sources(), {}, std::string()).error().message,
               Catch::EndsWith("{{EC2PrivateDNSName}} is empty for this identity"));

    std::vector<std::string> problems;
    mapping::MappingConfig config{.roles = {{.arn = "arn:aws:iam::111122223333:role/Admin",
                                             .username = "admin",
                                             .groups = {"system:masters", ""},
                                             .origin = "mapRoles[0]"}}};
    auto table = std::make_shared<const mapping::MappingTable>(mapping::MappingTable::build(config, {}, problems));
    const std::vector<auth::SourceSnapshot> with_empty_group{{"MountedFile", table, {}}};
    CHECK(auth::map_identity(session(), with_empty_group, {}).error().message ==
          "mapping rendered an empty group from \"\"");
}
