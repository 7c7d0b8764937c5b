#include <catch2/catch.hpp>

#include "core/mapping/templates.hpp"

using namespace aia;

namespace {

identity::Identity node_identity() {
    identity::Identity id;
    id.arn = "arn:aws:sts::111122223333:assumed-role/Node/i-0123456789abcdef0";
    id.canonical_arn = "arn:aws:iam::111122223333:role/Node";
    id.account_id = "111122223333";
    id.user_id = "AROAEXAMPLE";
    id.session_name = "i-0123456789abcdef0";
    id.access_key_id = "ASIAEXAMPLE";
    return id;
}

}  // namespace

TEST_CASE("placeholders are replaced as upstream replaces them", "[templates]") {
    identity::Identity id = node_identity();
    id.session_name = "alice@example.com";
    CHECK(*mapping::render("aws:{{AccountID}}:instance:{{SessionName}}", id) ==
          "aws:111122223333:instance:alice-example.com");
    CHECK(*mapping::render("{{SessionNameRaw}}", id) == "alice@example.com");
    CHECK(*mapping::render("key-{{AccessKeyID}}", id) == "key-ASIAEXAMPLE");
    CHECK(*mapping::render("{{AccountID}}{{AccountID}}", id) == "111122223333111122223333");
    CHECK(*mapping::render("plain", id) == "plain");
    // Unknown placeholders stay as written.
    CHECK(*mapping::render("{{Unknown}}:{{accountid}}", id) == "{{Unknown}}:{{accountid}}");
}

TEST_CASE("a replaced value is not expanded again", "[templates]") {
    identity::Identity id = node_identity();
    id.session_name = "{{AccountID}}";
    CHECK(*mapping::render("{{SessionNameRaw}}", id) == "{{AccountID}}");
}

TEST_CASE("{{EC2PrivateDNSName}} needs an instance session and a looked-up name", "[templates]") {
    const identity::Identity node = node_identity();
    const std::string pattern = "system:node:{{EC2PrivateDNSName}}";
    CHECK(mapping::needs_ec2_lookup(pattern));
    CHECK_FALSE(mapping::needs_ec2_lookup("system:node:{{SessionName}}"));
    CHECK(*mapping::render(pattern, node, std::string("ip-10-0-0-1.ec2.internal")) ==
          "system:node:ip-10-0-0-1.ec2.internal");
    CHECK(mapping::render(pattern, node).error() == "no EC2 private DNS name available for i-0123456789abcdef0");

    identity::Identity person = node;
    person.session_name = "alice";
    CHECK(mapping::render(pattern, person, std::string("x")).error() == "SessionName did not contain an instance id");
}

TEST_CASE("instance IDs", "[templates]") {
    CHECK(mapping::is_instance_id("i-01234567"));
    CHECK(mapping::is_instance_id("i-0123456789abcdef0"));
    CHECK_FALSE(mapping::is_instance_id("i-0123456"));
    CHECK_FALSE(mapping::is_instance_id("i-0123456789abcdef01"));
    CHECK_FALSE(mapping::is_instance_id("i-0123-567"));
    CHECK_FALSE(mapping::is_instance_id("x-01234567"));
}

TEST_CASE("a placeholder whose value is empty never renders", "[templates]") {
    const identity::Identity node = node_identity();
    // Upstream would grant "system:node:" to every instance EC2 has no name for.
    CHECK(mapping::render("system:node:{{EC2PrivateDNSName}}", node, std::string()).error() ==
          "{{EC2PrivateDNSName}} is empty for this identity");

    identity::Identity user = node;
    user.session_name.clear();  // IAM users have no session
    CHECK(mapping::render("dev:{{SessionName}}", user).error() == "{{SessionName}} is empty for this identity");
    CHECK(mapping::render("dev:{{SessionNameRaw}}", user).error() == "{{SessionNameRaw}} is empty for this identity");
    CHECK(*mapping::render("dev:{{AccountID}}", user) == "dev:111122223333");
}
