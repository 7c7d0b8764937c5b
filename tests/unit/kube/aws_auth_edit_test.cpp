// Adding a mapping to aws-auth is a text edit of one data key: the rest of
// the ConfigMap, comments included, stays byte for byte.

#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include "core/kube/aws_auth_edit.hpp"
#include "core/mapping/aws_auth.hpp"

using namespace aia::kube;
using aia::mapping::EntryKind;
using aia::mapping::MappingEntry;
using aia::mapping::SsoMatcher;
using nlohmann::json;

namespace {

NewMapping role(std::string arn, std::string username = "admin", std::vector<std::string> groups = {"system:masters"}) {
    return {EntryKind::Role, MappingEntry{.arn = std::move(arn), .username = std::move(username), .groups = groups}};
}

NewMapping user(std::string arn, std::string username = "alice", std::vector<std::string> groups = {"devs"}) {
    return {EntryKind::User, MappingEntry{.arn = std::move(arn), .username = std::move(username), .groups = groups}};
}

NewMapping sso_role(std::string account = "111122223333") {
    NewMapping m{EntryKind::Role, MappingEntry{.username = "sso-admin", .groups = {"system:masters"}}};
    m.entry.sso = SsoMatcher{.permission_set_name = "Admin", .account_id = std::move(account), .partition = ""};
    return m;
}

const std::string kRoles =
    "# nodes: do not remove\n"
    "- rolearn: arn:aws:iam::111122223333:role/Nodes\n"
    "  username: system:node:{{EC2PrivateDNSName}}\n"
    "  groups: [system:bootstrappers, system:nodes]   # both\n";

}  // namespace

TEST_CASE("entry_yaml writes one list item that reads back as the entry", "[kube][aws-auth-edit]") {
    CHECK(entry_yaml(role("arn:aws:iam::111122223333:role/Admin", "admin:{{SessionName}}", {"a", "b"})) ==
          "- rolearn: arn:aws:iam::111122223333:role/Admin\n"
          "  username: admin:{{SessionName}}\n"
          "  groups:\n"
          "  - a\n"
          "  - b\n");
    CHECK(entry_yaml(user("arn:aws:iam::111122223333:user/alice")) ==
          "- userarn: arn:aws:iam::111122223333:user/alice\n  username: alice\n  groups:\n  - devs\n");
    // Account IDs and words YAML 1.1 reads as booleans stay strings.
    CHECK(entry_yaml(sso_role()) ==
          "- sso:\n    permissionSetName: Admin\n    accountID: \"111122223333\"\n"
          "  username: sso-admin\n  groups:\n  - system:masters\n");
    // A value YAML would take for a flow mapping is quoted, and reads back.
    const YAML::Node back = YAML::Load(entry_yaml(role("arn:aws:iam::111122223333:role/A", "{{SessionName}}", {"x: y"})));
    CHECK(back[0]["username"].as<std::string>() == "{{SessionName}}");
    CHECK(back[0]["groups"][0].as<std::string>() == "x: y");
    CHECK(entry_yaml(role("arn:aws:iam::111122223333:role/A", "yes", {"123"})).find("username: \"yes\"\n  groups:\n  - \"123\"") !=
          std::string::npos);
}

TEST_CASE("append_entry_text keeps the existing text and follows its indentation", "[kube][aws-auth-edit]") {
    const std::string entry = "- userarn: x\n  username: y\n";
    CHECK(append_entry_text(kRoles, entry).value() == kRoles + entry);
    CHECK(append_entry_text("- a: 1", entry).value() == "- a: 1\n" + entry);
    CHECK(append_entry_text("  # c\n    - a: 1\n", entry).value() ==
          "  # c\n    - a: 1\n    - userarn: x\n      username: y\n");
    CHECK(append_entry_text("", entry).value() == entry);
    CHECK(append_entry_text(" \"\" \n", entry).value() == entry);
    CHECK(append_entry_text("# only a comment\n", entry).value() == "# only a comment\n" + entry);
    CHECK_FALSE(append_entry_text("[{userarn: x, username: y}]", entry).ok());
}

TEST_CASE("add_to_data changes only the one key and appends", "[kube][aws-auth-edit]") {
    const std::map<std::string, std::string> data{{"mapRoles", kRoles}, {"other", "kept: as is  # yes\n"}};
    auto edit = add_to_data(data, role("arn:aws:iam::111122223333:role/Admin"));
    REQUIRE(edit.ok());
    CHECK(edit->key == "mapRoles");
    CHECK(edit->value == kRoles + "- rolearn: arn:aws:iam::111122223333:role/Admin\n  username: admin\n  groups:\n  - system:masters\n");

    auto users = add_to_data(data, user("arn:aws:iam::111122223333:user/alice"));
    REQUIRE(users.ok());
    CHECK(users->key == "mapUsers");
    CHECK(users->value == "- userarn: arn:aws:iam::111122223333:user/alice\n  username: alice\n  groups:\n  - devs\n");

    auto sso = add_to_data(data, sso_role());
    REQUIRE(sso.ok());
    std::map<std::string, std::string> changed = data;
    changed[sso->key] = sso->value;
    auto parsed = aia::mapping::parse_aws_auth_data(changed);
    REQUIRE(parsed.ok());
    REQUIRE(parsed->config.roles.size() == 2);
    REQUIRE(parsed->config.roles[1].sso.has_value());
    CHECK(parsed->config.roles[1].sso->account_id == "111122223333");
}

TEST_CASE("add_to_data refuses duplicates as upstream does", "[kube][aws-auth-edit]") {
    const std::map<std::string, std::string> data{
        {"mapRoles", kRoles},
        {"mapUsers", "- userarn: arn:aws:iam::111122223333:user/Alice\n  username: alice\n"}};
    // Role ARNs without regard to letter case.
    auto role_dup = add_to_data(data, role("arn:aws:iam::111122223333:role/NODES"));
    REQUIRE_FALSE(role_dup.ok());
    CHECK(role_dup.error() == "cannot add duplicate role ARN \"arn:aws:iam::111122223333:role/NODES\"");
    // User ARNs exactly.
    auto user_dup = add_to_data(data, user("arn:aws:iam::111122223333:user/Alice"));
    REQUIRE_FALSE(user_dup.ok());
    CHECK(user_dup.error() == "cannot add duplicate user ARN \"arn:aws:iam::111122223333:user/Alice\"");
    CHECK(add_to_data(data, user("arn:aws:iam::111122223333:user/alice")).ok());

    std::map<std::string, std::string> with_sso = data;
    with_sso["mapRoles"] = kRoles + entry_yaml(sso_role());
    auto sso_dup = add_to_data(with_sso, sso_role());
    REQUIRE_FALSE(sso_dup.ok());
    CHECK(sso_dup.error().starts_with("cannot add duplicate role ARN \"arn:aws:iam::111122223333:role/aws-reserved/"));
    CHECK(add_to_data(with_sso, sso_role("444455556666")).ok());
}

TEST_CASE("add_to_data refuses unparsable data and invalid entries", "[kube][aws-auth-edit]") {
    auto broken = add_to_data({{"mapRoles", "- rolearn: [unclosed\n"}}, role("arn:aws:iam::111122223333:role/A"));
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().starts_with("failed to parse configmap data.mapRoles: "));

    auto bad_arn = add_to_data({}, role("not-an-arn"));
    REQUIRE_FALSE(bad_arn.ok());
    CHECK(bad_arn.error().starts_with("role is invalid: "));

    auto bad_sso = add_to_data({}, sso_role("12"));
    REQUIRE_FALSE(bad_sso.ok());
    CHECK(bad_sso.error() == "role is invalid: sso.accountID \"12\" is not a 12-digit account ID");
    CHECK(mapping_problem(sso_role("12")).has_value());
    CHECK_FALSE(mapping_problem(sso_role()).has_value());

    auto flow = add_to_data({{"mapUsers", "[{userarn: arn:aws:iam::111122223333:user/b, username: b}]"}},
                            user("arn:aws:iam::111122223333:user/alice"));
    REQUIRE_FALSE(flow.ok());
    CHECK(flow.error().starts_with("cannot append to data.mapUsers: "));
}

TEST_CASE("describe_addition speaks upstream's prompt words", "[kube][aws-auth-edit]") {
    CHECK(describe_addition(user("arn:aws:iam::111122223333:user/alice", "alice", {"a", "b"})) ==
          "add userarn arn:aws:iam::111122223333:user/alice, username alice, groups [a b]");
    CHECK(describe_addition(role("arn:aws:iam::111122223333:role/A")) ==
          "add rolearn arn:aws:iam::111122223333:role/A, username admin, groups [system:masters]");
    CHECK(describe_addition(sso_role()) ==
          "add sso permissionSetName=Admin,accountID=111122223333, username sso-admin, groups [system:masters]");
}

TEST_CASE("add_to_object keeps the resourceVersion and the other keys", "[kube][aws-auth-edit]") {
    const json object{{"apiVersion", "v1"},
                      {"kind", "ConfigMap"},
                      {"metadata", {{"name", "aws-auth"}, {"namespace", "kube-system"}, {"resourceVersion", "42"}}},
                      {"data", {{"mapRoles", kRoles}, {"keep", "x"}}}};
    auto updated = add_to_object(object, user("arn:aws:iam::111122223333:user/alice"));
    REQUIRE(updated.ok());
    CHECK((*updated)["metadata"]["resourceVersion"] == "42");
    CHECK((*updated)["data"]["mapRoles"] == kRoles);
    CHECK((*updated)["data"]["keep"] == "x");
    CHECK((*updated)["data"]["mapUsers"].get<std::string>().starts_with("- userarn: "));

    json no_data = object;
    no_data.erase("data");
    auto added = add_to_object(no_data, user("arn:aws:iam::111122223333:user/alice"));
    REQUIRE(added.ok());
    CHECK((*added)["data"].size() == 1);
}

TEST_CASE("object_yaml prints sorted keys and reads back", "[kube][aws-auth-edit]") {
    const json object{{"kind", "ConfigMap"},
                      {"apiVersion", "v1"},
                      {"metadata",
                       {{"name", "aws-auth"}, {"managedFields", json::array({json::object()})}, {"resourceVersion", "7"}}},
                      {"data", {{"mapRoles", kRoles}, {"n", "123"}, {"two", "a\n\nb"}}}};
    const std::string text = object_yaml(object);
    CHECK(text.starts_with("apiVersion: v1\ndata:\n  mapRoles: |\n    # nodes: do not remove\n"));
    CHECK(text.find("managedFields") == std::string::npos);
    CHECK(text.find("\n\n") == std::string::npos);  // no blank line after a literal block
    const YAML::Node back = YAML::Load(text);
    CHECK(back["data"]["mapRoles"].as<std::string>() == kRoles);
    CHECK(back["data"]["n"].as<std::string>() == "123");
    CHECK(back["data"]["n"].Tag() == "!");  // quoted: a string, not a number
    CHECK(back["data"]["two"].as<std::string>() == "a\n\nb");
    CHECK(back["metadata"]["resourceVersion"].as<std::string>() == "7");
    CHECK(back["kind"].as<std::string>() == "ConfigMap");
}
