#include <catch2/catch.hpp>

#include "core/mapping/mapping_table.hpp"

using namespace aia;
using mapping::MappingConfig;
using mapping::MappingEntry;
using mapping::MappingTable;
using mapping::MatchKind;

namespace {

identity::Identity session(std::string role, std::string name = "s", std::string account = "111122223333",
                           std::string partition = "aws") {
    identity::Identity id;
    id.arn = "arn:" + partition + ":sts::" + account + ":assumed-role/" + role + "/" + name;
    id.canonical_arn = "arn:" + partition + ":iam::" + account + ":role/" + role;
    id.account_id = account;
    id.session_name = name;
    id.user_id = "AROA" + role;
    return id;
}

identity::Identity user(std::string arn, std::string account = "111122223333") {
    identity::Identity id;
    id.arn = id.canonical_arn = std::move(arn);
    id.account_id = std::move(account);
    id.user_id = "AIDAUSER";
    return id;
}

MappingEntry entry(std::string arn, std::string username, std::string origin) {
    return {.arn = std::move(arn), .username = std::move(username), .origin = std::move(origin)};
}

MappingTable build(MappingConfig config, mapping::TableOptions options = {}) {
    std::vector<std::string> problems;
    MappingTable table = MappingTable::build(std::move(config), options, problems);
    for (const auto& problem : problems) WARN(problem);
    return table;
}

std::string username_for(const MappingTable& table, const identity::Identity& id) {
    const auto match = table.match(id);
    if (!match) return "<none>";
    return match->entry ? match->entry->username : "<account>";
}

}  // namespace

TEST_CASE("exact ARNs: roles, users, any letter case, role paths", "[mapping-table]") {
    const MappingTable table =
        build({.roles = {entry("arn:aws:iam::111122223333:role/Admin", "admin", "mapRoles[0]"),
                         entry("arn:aws:iam::111122223333:role/team/ops/Operator", "ops", "mapRoles[1]")},
               .users = {entry("arn:aws:iam::111122223333:user/Alice", "alice", "mapUsers[0]")}});
    CHECK(username_for(table, session("Admin")) == "admin");
    CHECK(username_for(table, session("ADMIN")) == "admin");
    CHECK(username_for(table, session("Operator")) == "ops");  // upstream #268
    CHECK(username_for(table, user("arn:aws:iam::111122223333:user/alice")) == "alice");
    CHECK(username_for(table, user("arn:aws:iam::111122223333:user/team/Alice")) == "<none>");
    CHECK(username_for(table, session("Admin", "s", "999999999999")) == "<none>");
    CHECK(table.match(session("Admin"))->kind == MatchKind::ExactArn);
    CHECK(table.match(session("Operator"))->kind == MatchKind::ArnWithoutPath);
    CHECK(table.role_count() == 2);
    CHECK(table.user_count() == 1);
}

TEST_CASE("patterns: exact beats pattern, longer literal prefix beats shorter, then order written", "[mapping-table]") {
    const MappingTable table =
        build({.roles =
                   {
                       entry("arn:aws:iam::111122223333:role/*", "anyone", "mapRoles[0]"),
                       entry("arn:aws:iam::111122223333:role/dev-*", "dev", "mapRoles[1]"),
                       entry("arn:aws:iam::111122223333:role/dev-admin", "dev-admin", "mapRoles[2]"),
                       entry("arn:aws:iam::111122223333:role/dev-?", "never-first", "mapRoles[3]"),
                       entry("arn:aws:iam::111122223333:role/ops-*", "ops-1", "mapRoles[4]"),
                       entry("arn:aws:iam::111122223333:role/ops-*", "ops-2", "mapRoles[5]"),
                   },
               .accounts = {"444455556666"}});
    CHECK(username_for(table, session("dev-admin")) == "dev-admin");
    CHECK(username_for(table, session("dev-team")) == "dev");
    CHECK(username_for(table, session("dev-x")) == "dev");  // same prefix as dev-?: written first
    CHECK(username_for(table, session("ops-1")) == "ops-1");
    CHECK(username_for(table, session("prod")) == "anyone");
    CHECK(table.match(session("dev-team"))->kind == MatchKind::Pattern);
    // A pattern never leaves its account: another account's role falls through to mapAccounts.
    CHECK(username_for(table, session("prod", "s", "444455556666")) == "<account>");
    CHECK(table.match(session("prod", "s", "444455556666"))->kind == MatchKind::Account);
    CHECK(username_for(table, session("prod", "s", "999999999999")) == "<none>");
}

TEST_CASE("patterns: wildcards only in the name, never across accounts, partitions or kinds", "[mapping-table]") {
    std::vector<std::string> problems;
    const MappingTable table =
        MappingTable::build({.roles = {entry("arn:aws:iam::*:role/ReadOnly", "any-account", "mapRoles[0]"),
                                       entry("arn:*:iam::111122223333:role/Admin", "any-partition", "mapRoles[1]"),
                                       entry("arn:aws:*::111122223333:role/Admin", "any-service", "mapRoles[2]"),
                                       entry("arn:aws:iam::111122223333:*", "anything", "mapRoles[3]"),
                                       entry("arn:aws:iam::111122223333:role*", "type-glob", "mapRoles[4]"),
                                       entry("arn:aws:iam::111122223333:user/dev-*", "users-in-roles", "mapRoles[5]"),
                                       entry("arn:aws:iam::1111222233?3:role/x", "account-glob", "mapRoles[6]"),
                                       entry("arn:aws:iam::111122223333:role/dev-*", "dev", "mapRoles[7]")},
                             .users = {entry("arn:aws:iam::111122223333:role/ops-*", "roles-in-users", "mapUsers[0]"),
                                       entry("arn:aws:iam::111122223333:user/svc-??", "svc", "mapUsers[1]")}},
                            {}, problems);
    REQUIRE(problems.size() == 8);
    const std::string outside = "has a wildcard outside the role or user name";
    CHECK_THAT(problems[0], Catch::StartsWith("mapRoles[0]: ARN pattern \"arn:aws:iam::*:role/ReadOnly\" " + outside));
    CHECK_THAT(problems[0],
               Catch::EndsWith("so that a pattern never matches another account by accident; entry ignored"));
    CHECK_THAT(problems[1], Catch::StartsWith("mapRoles[1]: ") && Catch::Contains(outside));
    CHECK_THAT(problems[2], Catch::StartsWith("mapRoles[2]: ") && Catch::Contains(outside));
    CHECK(problems[3] ==
          "mapRoles[3]: ARN pattern \"arn:aws:iam::111122223333:*\" in mapRoles must name roles: "
          "arn:<partition>:iam::<account>:role/<name>; entry ignored");
    CHECK_THAT(problems[4], Catch::StartsWith("mapRoles[4]: ") && Catch::Contains("in mapRoles must name roles"));
    CHECK_THAT(problems[5], Catch::StartsWith("mapRoles[5]: ") && Catch::Contains("in mapRoles must name roles"));
    CHECK_THAT(problems[6], Catch::StartsWith("mapRoles[6]: ") && Catch::Contains(outside));
    CHECK_THAT(problems[7], Catch::StartsWith("mapUsers[0]: ") && Catch::Contains("in mapUsers must name users"));
    CHECK(table.role_count() == 1);
    CHECK(table.user_count() == 1);
    CHECK(username_for(table, session("dev-team")) == "dev");
    CHECK(username_for(table, session("ReadOnly", "s", "444455556666")) == "<none>");
    CHECK(username_for(table, session("Admin")) == "<none>");
    CHECK(username_for(table, session("ops-1")) == "<none>");
    CHECK(username_for(table, user("arn:aws:iam::111122223333:user/svc-01")) == "svc");
    CHECK(username_for(table, user("arn:aws:iam::111122223333:user/dev-1")) == "<none>");
}

TEST_CASE("bad entries are refused one by one, the rest loads", "[mapping-table]") {
    std::vector<std::string> problems;
    const MappingTable table = MappingTable::build(
        {.roles = {entry("arn:aws:iam::111122223333:role/Good", "good", "mapRoles[0]"),
                   entry("arn:aws:iam::1:role/BadAccount", "x", "mapRoles[1]"),
                   entry("arn:aws:iam::111122223333:role/NoName", "", "mapRoles[2]"),
                   entry("arn:aws:iam::111122223333:role/Typo", "{{SessionNmae}}", "mapRoles[3]"),
                   entry("arn:aws:iam::111122223333:role/Good", "second", "mapRoles[4]"),
                   entry("", "nothing", "mapRoles[5]"),
                   {.arn = "arn:aws:iam::111122223333:role/Both",
                    .sso = mapping::SsoMatcher{"X", "111122223333", ""},
                    .username = "u",
                    .origin = "mapRoles[6]"},
                   {.sso = mapping::SsoMatcher{"X", "12", ""}, .username = "u", .origin = "mapRoles[7]"},
                   entry("arn:aws:iam::111122223333:role/team/*", "never", "mapRoles[8]")},
         .users = {entry("arn:aws:iam::111122223333:user/u", "ok", "mapUsers[0]"),
                   entry("arn:aws:sts::111122223333:assumed-role/Good/alice", "alice", "mapUsers[1]")},
         .accounts = {"12345"}},
        {.sso_enabled = true}, problems);
    CHECK(username_for(table, session("Good")) == "second");  // the last of two wins, as upstream
    CHECK(table.role_count() == 2);                           // Good, and the path pattern (kept, with a warning)
    CHECK(table.user_count() == 1);
    // Each entry's own problems in the order written, then those that can never win or match.
    REQUIRE(problems.size() == 10);
    CHECK_THAT(problems[0], Catch::StartsWith("mapRoles[1]: ") && Catch::EndsWith("; entry ignored"));
    CHECK(problems[1] == "mapRoles[2]: username must be supplied; entry ignored");
    CHECK(problems[2] == "mapRoles[3]: unknown template variable {{SessionNmae}} in username; entry ignored");
    CHECK(problems[3] == "mapRoles[5]: one of rolearn or sso must be supplied; entry ignored");
    CHECK(problems[4] == "mapRoles[6]: only one of rolearn or sso can be supplied; entry ignored");
    CHECK_THAT(problems[5], Catch::StartsWith("mapRoles[7]: sso.accountID"));
    CHECK(problems[6] ==
          "mapUsers[1]: names a role session; map the role arn:aws:iam::111122223333:role/Good instead; entry ignored");
    CHECK(problems[7] ==
          "mapRoles[0]: \"arn:aws:iam::111122223333:role/Good\" is never used: mapRoles[4] maps the same role or "
          "user later, and the last entry wins (as upstream); entry ignored");
    CHECK_THAT(problems[8], Catch::StartsWith("mapRoles[8]: ") && Catch::Contains("can never match"));
    CHECK(problems[9] == "mapAccounts[0]: \"12345\" is not a 12-digit account ID; entry ignored");
}

TEST_CASE("precedence: exact ARN, then the role without its path, then patterns, the last entry winning",
          "[mapping-table]") {
    std::vector<std::string> problems;
    // Upstream's README example maps KubernetesAdmin and KubernetesNode twice:
    // upstream's map keeps the second of each.
    const MappingTable table = MappingTable::build(
        {.roles = {entry("arn:aws:iam::000000000000:role/KubernetesAdmin", "kubernetes-admin", "mapRoles[0]"),
                   entry("arn:aws:iam::000000000000:role/KubernetesNode", "aws:instance", "mapRoles[1]"),
                   entry("arn:aws:iam::000000000000:role/KubernetesAdmin", "admin:{{SessionName}}", "mapRoles[2]"),
                   entry("arn:aws:iam::000000000000:role/KubernetesNode", "system:node", "mapRoles[3]"),
                   // A path entry for a role also named without one: never used.
                   entry("arn:aws:iam::000000000000:role/nodes/eks/KubernetesNode", "pathed", "mapRoles[4]"),
                   // Only path entries for Deployer: the last of them wins.
                   entry("arn:aws:iam::000000000000:role/a/Deployer", "deployer-a", "mapRoles[5]"),
                   entry("arn:aws:iam::000000000000:role/b/Deployer", "deployer-b", "mapRoles[6]"),
                   entry("arn:aws:iam::000000000000:role/Deploy*", "pattern", "mapRoles[7]"),
                   entry("arn:aws:iam::000000000000:role/Kubernetes*", "pattern", "mapRoles[8]")},
         .users = {entry("arn:aws:iam::000000000000:user/ops/Alice", "alice-1", "mapUsers[0]"),
                   entry("arn:aws:iam::000000000000:user/ops/alice", "alice-2", "mapUsers[1]")}},
        {}, problems);
    const auto match_of = [&](const identity::Identity& id) { return table.match(id).value(); };
    const auto in = [](std::string role) { return session(std::move(role), "s", "000000000000"); };
    CHECK(match_of(in("KubernetesAdmin")).entry->origin == "mapRoles[2]");
    CHECK(match_of(in("KubernetesNode")).entry->origin == "mapRoles[3]");
    CHECK(match_of(in("KubernetesNode")).kind == MatchKind::ExactArn);
    CHECK(match_of(in("Deployer")).entry->origin == "mapRoles[6]");
    CHECK(match_of(in("Deployer")).kind == MatchKind::ArnWithoutPath);
    CHECK(match_of(in("Deployment")).kind == MatchKind::Pattern);
    CHECK(match_of(in("KubernetesOther")).entry->origin == "mapRoles[8]");
    // IAM users keep their path in the caller's ARN: an exact match, the last in any letter case.
    CHECK(match_of(user("arn:aws:iam::000000000000:user/ops/Alice", "000000000000")).entry->origin == "mapUsers[1]");
    CHECK(table.role_count() == 5);  // [2], [3], [6], and the two patterns
    CHECK(table.user_count() == 1);

    REQUIRE(problems.size() == 5);
    CHECK_THAT(problems[0], Catch::StartsWith("mapRoles[0]: ") && Catch::Contains("is never used: mapRoles[2] maps"));
    CHECK_THAT(problems[1], Catch::StartsWith("mapRoles[1]: ") && Catch::Contains("is never used: mapRoles[3] maps"));
    CHECK(problems[2] ==
          "mapRoles[4]: \"arn:aws:iam::000000000000:role/nodes/eks/KubernetesNode\" is never used: mapRoles[3] names "
          "the role without its path, which role sessions match first; entry ignored");
    CHECK_THAT(problems[3], Catch::StartsWith("mapRoles[5]: ") && Catch::Contains("is never used: mapRoles[6] maps"));
    CHECK_THAT(problems[4], Catch::StartsWith("mapUsers[0]: ") && Catch::Contains("is never used: mapUsers[1] maps"));
    CHECK(to_string(MatchKind::ArnWithoutPath) == "ARN without its path");
    CHECK(to_string(MatchKind::Pattern) == "pattern");
}

TEST_CASE("userIDStrict tables match the STS user ID, and the ARN if given", "[mapping-table]") {
    const mapping::TableOptions strict{.user_id_strict = true};
    const MappingTable table =
        build({.roles = {{.arn = "arn:aws:iam::111122223333:role/path/Admin",
                          .username = "admin",
                          .user_id = "AROAAdmin",
                          .origin = "mapRoles[0]"},
                         {.username = "anyarn", .user_id = "AROAOther", .origin = "mapRoles[1]"}}},
              strict);
    CHECK(username_for(table, session("Admin")) == "admin");
    CHECK(table.match(session("Admin"))->kind == MatchKind::UserId);
    identity::Identity impostor = session("Admin");
    impostor.canonical_arn = "arn:aws:iam::111122223333:role/Impostor";
    CHECK(username_for(table, impostor) == "<none>");  // upstream: "ARN does not match User ID"
    CHECK(username_for(table, session("Other")) == "anyarn");
    CHECK(username_for(table, session("Unknown")) == "<none>");

    std::vector<std::string> problems;
    MappingTable::build(
        {.roles = {{.arn = "arn:aws:iam::111122223333:role/A", .username = "a", .origin = "mapRoles[0]"}}}, strict,
        problems);
    CHECK(problems == std::vector<std::string>{
                          "mapRoles[0]: userid must be supplied (dynamicfileUserIDStrict is on); entry ignored"});
}

TEST_CASE("explain names the match, or the nearest entries and why they missed", "[mapping-table]") {
    const MappingTable table =
        build({.roles = {entry("arn:aws:iam::111122223333:role/Admin", "admin", "mapRoles[0]"),
                         entry("arn:aws:iam::444455556666:role/Deployer", "deployer", "mapRoles[1]"),
                         entry("arn:aws:iam::111122223333:role/dev-*", "dev", "mapRoles[2]"),
                         {.sso = mapping::SsoMatcher{"ReadOnly", "111122223333", ""},
                          .username = "r",
                          .origin = "mapRoles[3]"}},
               .users = {entry("arn:aws:iam::111122223333:user/Admin", "admin-user", "mapUsers[0]")},
               .accounts = {"777788889999"}},
              {.sso_enabled = true});
    const auto hit = table.explain(session("Admin"));
    REQUIRE(hit.match);
    CHECK(hit.match->entry->origin == "mapRoles[0]");

    const auto miss = table.explain(session("Deployer"));
    REQUIRE_FALSE(miss.match);
    REQUIRE(miss.near_misses.size() >= 5);
    CHECK(miss.near_misses[0].reason == "role name differs");
    const auto reason_of = [&](std::string_view origin) {
        for (const auto& near : miss.near_misses) {
            if (near.origin == origin) return near.reason;
        }
        return std::string("<not listed>");
    };
    CHECK(reason_of("mapRoles[1]") == "account differs");
    CHECK(reason_of("mapRoles[2]") == "pattern does not match the resource");
    CHECK(reason_of("mapRoles[3]") == "role is not AWSReservedSSO_ReadOnly_<16 hex digits>");
    CHECK(reason_of("mapUsers[0]") == "names a user, the caller is a role");
    CHECK(reason_of("mapAccounts") == "account 111122223333 is not listed");
}
