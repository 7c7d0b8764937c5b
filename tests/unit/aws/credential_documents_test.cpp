#include <catch2/catch.hpp>

#include "core/aws/credential_documents.hpp"

using namespace aia;

TEST_CASE("STS AssumeRole answers", "[credentials]") {
    const auto credentials =
        aws::parse_sts_credentials_xml(R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/R/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIATEMP</AccessKeyId>
      <SecretAccessKey>secret/+=</SecretAccessKey>
      <SessionToken>token</SessionToken>
      <Expiration>2026-11-23T18:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>x</RequestId></ResponseMetadata>
</AssumeRoleResponse>)");
    REQUIRE(credentials.ok());
    CHECK(credentials->keys.access_key_id == "ASIATEMP");
    CHECK(credentials->keys.secret_access_key == "secret/+=");
    CHECK(credentials->keys.session_token == "token");
    CHECK(amz_time::format_rfc3339(*credentials->expiration) == "2026-11-23T18:00:00Z");

    CHECK_FALSE(
        aws::parse_sts_credentials_xml("<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>").ok());
    CHECK_FALSE(aws::parse_sts_credentials_xml("not xml").ok());
    CHECK_FALSE(aws::parse_sts_credentials_xml("<R><Credentials><AccessKeyId>A</AccessKeyId></Credentials></R>").ok());
}

TEST_CASE("instance metadata and container credentials", "[credentials]") {
    const auto imds =
        aws::parse_credentials_json(R"({"Code":"Success","LastUpdated":"2026-11-23T17:00:00Z","Type":"AWS-HMAC",
        "AccessKeyId":"ASIAIMDS","SecretAccessKey":"s","Token":"t","Expiration":"2026-11-23T23:00:00Z"})");
    REQUIRE(imds.ok());
    CHECK(imds->keys.access_key_id == "ASIAIMDS");
    CHECK(imds->expiration.has_value());
    const auto container = aws::parse_credentials_json(
        R"({"AccessKeyId":"A","SecretAccessKey":"s","Token":"t","Expiration":"2026-11-23T23:00:00.000Z"})");
    REQUIRE(container.ok());
    CHECK(container->keys.session_token == "t");
    CHECK(aws::parse_credentials_json(R"({"Code":"AssumeRoleUnauthorizedAccess"})").error() ==
          "credentials endpoint answered Code AssumeRoleUnauthorizedAccess");
    CHECK_FALSE(aws::parse_credentials_json(R"({"AccessKeyId":"A"})").ok());
    CHECK_FALSE(aws::parse_credentials_json(R"({"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"soon"})").ok());
}
