#include <catch2/catch.hpp>

#include "core/mapping/static_mapper.hpp"

using namespace aia;
using mapping::MappingConfig;
using mapping::StaticMapper;

namespace {

identity::Identity session(std::string role, std::string name, std::string account = "111122223333") {
    identity::Identity id;
    id.arn = "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + name;
    id.canonical_arn = "arn:aws:iam::" + account + ":role/" + role;
    id.account_id = account;
    id.session_name = name;
    return id;
}

identity::Identity user(std::string arn, std::string account = "111122223333") {
    identity::Identity id;
    id.arn = id.canonical_arn = std::move(arn);
    id.account_id = std::move(account);
    return id;
}

StaticMapper build(MappingConfig config) {
    std::vector<std::string> warnings;
    auto mapper = StaticMapper::build(std::move(config), warnings);
    if (!mapper) FAIL(mapper.error());
    return std::move(mapper).value();
}

std::string refusal(MappingConfig config) {
    std::vector<std::string> warnings;
    const auto mapper = StaticMapper::build(std::move(config), warnings);
    if (mapper) FAIL("accepted");
    return mapper.error();
}

const MappingConfig kConfig{
    .roles = {{"arn:aws:iam::111122223333:role/KubernetesAdmin", "admin:{{SessionName}}", {"system:masters"}},
              {"arn:aws:iam::111122223333:role/team/ops/Operator", "ops", {"ops"}}},
    .users = {{"arn:aws:iam::111122223333:user/Alice", "alice", {"devs"}}},
    .accounts = {"444455556666"},
};

}  // namespace

TEST_CASE("role sessions match their role, in any letter case", "[mapper]") {
    const StaticMapper mapper = build(kConfig);
    const auto match = mapper.match(session("KubernetesAdmin", "bob"));
    REQUIRE(match);
    REQUIRE(match->entry != nullptr);
    CHECK(match->entry->username == "admin:{{SessionName}}");
    CHECK(mapper.match(session("kubernetesadmin", "bob")));
    CHECK_FALSE(mapper.match(session("KubernetesAdmin2", "bob")));
    CHECK_FALSE(mapper.match(session("KubernetesAdmin", "bob", "999999999999")));
}

TEST_CASE("a role mapped with its IAM path matches its sessions (upstream #268)", "[mapper]") {
    const StaticMapper mapper = build(kConfig);
    const auto match = mapper.match(session("Operator", "carol"));
    REQUIRE(match);
    CHECK(match->entry->username == "ops");
}

TEST_CASE("users match by ARN, in any letter case", "[mapper]") {
    const StaticMapper mapper = build(kConfig);
    CHECK(mapper.match(user("arn:aws:iam::111122223333:user/Alice"))->entry->username == "alice");
    CHECK(mapper.match(user("arn:aws:iam::111122223333:user/alice")));
    CHECK_FALSE(mapper.match(user("arn:aws:iam::111122223333:user/Alice2")));
    // A user with a path is a different user.
    CHECK_FALSE(mapper.match(user("arn:aws:iam::111122223333:user/team/Alice")));
}

TEST_CASE("mapAccounts covers every principal of the account", "[mapper]") {
    const StaticMapper mapper = build(kConfig);
    const auto match = mapper.match(user("arn:aws:iam::444455556666:user/Anyone", "444455556666"));
    REQUIRE(match);
    CHECK(match->by_account);
    CHECK(match->entry == nullptr);
    CHECK(mapper.match(session("AnyRole", "x", "444455556666"))->by_account);
}

TEST_CASE("an explicit mapping wins over the account mapping", "[mapper]") {
    MappingConfig config = kConfig;
    config.accounts.push_back("111122223333");
    const StaticMapper mapper = build(config);
    CHECK_FALSE(mapper.match(session("KubernetesAdmin", "bob"))->by_account);
    CHECK(mapper.match(session("Unlisted", "bob"))->by_account);
}

TEST_CASE("a repeated ARN: the later entry wins, with a warning", "[mapper]") {
    MappingConfig config = kConfig;
    config.roles.push_back({"arn:aws:iam::111122223333:role/KubernetesAdmin", "second", {}});
    std::vector<std::string> warnings;
    const auto mapper = StaticMapper::build(config, warnings);
    REQUIRE(mapper.ok());
    CHECK(mapper->match(session("KubernetesAdmin", "bob"))->entry->username == "second");
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0], Catch::StartsWith("mapRoles[2]: "));
    CHECK(mapper->role_count() == 2);
}

TEST_CASE("broken entries stop the build with the entry named", "[mapper]") {
    MappingConfig config = kConfig;
    config.roles[1].arn = "arn:aws:iam::1111:role/x";
    CHECK_THAT(refusal(config), Catch::StartsWith("mapRoles[1]: ") && Catch::Contains("account must be 12 digits"));
    config = kConfig;
    config.users[0].arn = "";
    CHECK(refusal(config) == "mapUsers[0]: userarn is required");
    config = kConfig;
    config.users[0].username = "";
    CHECK(refusal(config) == "mapUsers[0]: username is required");
    config = kConfig;
    config.accounts = {"12345"};
    CHECK(refusal(config) == "mapAccounts[0]: \"12345\" is not a 12-digit account ID");
}

TEST_CASE("mapping keys", "[mapper]") {
    CHECK(*mapping::mapping_key("arn:aws:iam::111122223333:role/A/B/Name") == "arn:aws:iam::111122223333:role/name");
    CHECK(*mapping::mapping_key("arn:aws:sts::111122223333:assumed-role/Name/s") == "arn:aws:iam::111122223333:role/name");
    CHECK(*mapping::mapping_key("arn:aws:iam::111122223333:user/P/Bob") == "arn:aws:iam::111122223333:user/p/bob");
    CHECK_FALSE(mapping::mapping_key("not an arn").ok());
}
