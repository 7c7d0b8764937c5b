#include <catch2/catch.hpp>

#include "core/identity/sts_error.hpp"

using aia::identity::is_throttling;
using aia::identity::summarize_sts_error;

TEST_CASE("STS errors in JSON and XML", "[sts-error]") {
    const auto json = summarize_sts_error(
        R"({"Error":{"Code":"SignatureDoesNotMatch","Message":"The request signature we calculated does not match.","Type":"Sender"},"RequestId":"x"})");
    CHECK(json.code == "SignatureDoesNotMatch");
    CHECK(json.message == "The request signature we calculated does not match.");

    const auto xml = summarize_sts_error(
        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token "
        "included "
        "in the request is invalid.</Message></Error><RequestId>x</RequestId></ErrorResponse>");
    CHECK(xml.code == "InvalidClientTokenId");
    CHECK(xml.message == "The security token included in the request is invalid.");

    const auto nothing = summarize_sts_error("<html>bad gateway</html>");
    CHECK(nothing.code.empty());
    CHECK(nothing.message.empty());
}

TEST_CASE("messages never carry credentials or canonical requests", "[sts-error]") {
    const auto summary = summarize_sts_error(
        R"({"Error":{"Code":"SignatureDoesNotMatch","Message":"Mismatch. The Canonical String for this request should have been 'GET / Action=GetCallerIdentity&X-Amz-Security-Token=SECRET'"}})");
    CHECK(summary.message == "Mismatch. ");
    const auto inline_token = summarize_sts_error(
        "<Error><Code>X</Code><Message>bad X-Amz-Security-Token=SECRET&amp;X-Amz-Credential=AKID/x and "
        "more</Message></Error>");
    CHECK(inline_token.message.find("SECRET") == std::string::npos);
    CHECK(inline_token.message.find("AKID") == std::string::npos);
    CHECK(inline_token.message.find("[redacted]") != std::string::npos);
}

TEST_CASE("messages are escaped and capped", "[sts-error]") {
    const auto summary =
        summarize_sts_error(R"({"Error":{"Code":"C\nforged=1","Message":")" + std::string(1000, 'm') + R"("}})");
    CHECK(summary.code == "C\\nforged=1");
    CHECK(summary.message.size() == 203);
}

TEST_CASE("throttling is recognised as upstream does", "[sts-error]") {
    CHECK(is_throttling(R"({"Error":{"Code":"Throttling","Message":"Rate exceeded"}})"));
    CHECK(is_throttling("<Code>Throttling</Code>"));
    CHECK_FALSE(is_throttling(R"({"Error":{"Code":"AccessDenied"}})"));
}
