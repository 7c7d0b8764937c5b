#include <catch2/catch.hpp>

#include "core/aws/process_credentials.hpp"

using namespace aia;
using namespace aia::aws;

namespace {
const amz_time::Seconds kNow = amz_time::parse_rfc3339("2026-12-04T18:00:00Z").value();
}  // namespace

TEST_CASE("credential_process output: the full document", "[credential-process]") {
    const auto credentials = parse_process_credentials(
        R"({"Version": 1, "AccessKeyId": "ASIA1", "SecretAccessKey": "s", "SessionToken": "t",
            "Expiration": "2026-12-04T19:00:00Z"})",
        kNow);
    REQUIRE(credentials.ok());
    CHECK(credentials->keys.access_key_id == "ASIA1");
    CHECK(credentials->keys.session_token == "t");
    REQUIRE(credentials->expiration);
    CHECK(*credentials->expiration == amz_time::parse_rfc3339("2026-12-04T19:00:00Z").value());
}

TEST_CASE("credential_process output: long-lived keys need neither token nor expiry", "[credential-process]") {
    const auto credentials =
        parse_process_credentials(R"({"Version":1,"AccessKeyId":"AKIA1","SecretAccessKey":"s"})", kNow);
    REQUIRE(credentials.ok());
    CHECK(credentials->keys.session_token.empty());
    CHECK_FALSE(credentials->expiration);
}

TEST_CASE("credential_process output: what breaks the contract", "[credential-process]") {
    const auto error = [](std::string_view output) { return parse_process_credentials(output, kNow).error(); };
    CHECK_THAT(error(R"({"AccessKeyId":"A","SecretAccessKey":"s"})"), Catch::Contains("Version"));
    CHECK_THAT(error(R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"})"), Catch::Contains("Version"));
    CHECK_THAT(error(R"({"Version":"1","AccessKeyId":"A","SecretAccessKey":"s"})"), Catch::Contains("Version"));
    CHECK_THAT(error(R"({"Version":1,"SecretAccessKey":"s"})"), Catch::Contains("AccessKeyId"));
    CHECK_THAT(error(R"({"Version":1,"AccessKeyId":"A"})"), Catch::Contains("SecretAccessKey"));
    CHECK_THAT(error(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":""})"), Catch::Contains("SecretAccessKey"));
    CHECK_THAT(error(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"soon"})"),
               Catch::Contains("Expiration"));
    CHECK_THAT(error(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2026-12-04T17:00:00Z"})"),
               Catch::Contains("expired"));
    CHECK_THAT(error("AccessKeyId=A"), Catch::Contains("not a JSON object"));
}

TEST_CASE("credential_process errors never repeat the secret", "[credential-process]") {
    const std::string error =
        parse_process_credentials(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"hunter2","Expiration":"x"})",
                                  kNow)
            .error();
    CHECK(error.find("hunter2") == std::string::npos);
}
