#include <catch2/catch.hpp>

#include "core/aws/sso_documents.hpp"
#include "core/crypto/sha1.hpp"

using namespace aia;
using namespace aia::aws;

namespace {
amz_time::Seconds at(std::string_view rfc3339) { return amz_time::parse_rfc3339(rfc3339).value(); }
}  // namespace

TEST_CASE("SHA-1 hex, as the CLI names its cache files", "[sso]") {
    // FIPS 180 test vector.
    CHECK(crypto::sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_CASE("the SSO cache file is named after the session, else the start URL", "[sso]") {
    SsoSettings settings{"my-sso", "https://corp.awsapps.com/start", "us-east-1", "1", "R"};
    CHECK(sso_cache_file_name(settings) == crypto::sha1_hex("my-sso") + ".json");
    settings.session_name.clear();
    CHECK(sso_cache_file_name(settings) == crypto::sha1_hex("https://corp.awsapps.com/start") + ".json");
    CHECK(sso_cache_file_name(settings).size() == 45);
}

TEST_CASE("the cached sign-in: token and expiry in the forms CLIs write", "[sso]") {
    const auto z = parse_sso_cached_token(
        R"({"startUrl": "https://x", "region": "us-east-1", "accessToken": "tok", "expiresAt": "2026-12-04T19:00:00Z"})");
    REQUIRE(z.ok());
    CHECK(z->access_token == "tok");
    CHECK(z->expires_at == at("2026-12-04T19:00:00Z"));
    const auto utc = parse_sso_cached_token(R"({"accessToken": "tok", "expiresAt": "2026-12-04T19:00:00UTC"})");
    REQUIRE(utc.ok());
    CHECK(utc->expires_at == at("2026-12-04T19:00:00Z"));
    const auto offset = parse_sso_cached_token(R"({"accessToken": "tok", "expiresAt": "2026-12-04T19:00:00+00:00"})");
    REQUIRE(offset.ok());

    CHECK_FALSE(parse_sso_cached_token(R"({"expiresAt": "2026-12-04T19:00:00Z"})").ok());
    CHECK_FALSE(parse_sso_cached_token(R"({"accessToken": "tok"})").ok());
    CHECK_FALSE(parse_sso_cached_token(R"({"accessToken": "tok", "expiresAt": "tomorrow"})").ok());
    CHECK_FALSE(parse_sso_cached_token("[]").ok());
    CHECK_FALSE(parse_sso_cached_token("not json").ok());
}

TEST_CASE("a sign-in expires at its expiresAt", "[sso]") {
    const SsoAccessToken token{"tok", at("2026-12-04T19:00:00Z")};
    CHECK_FALSE(sso_token_expired(token, at("2026-12-04T18:59:59Z")));
    CHECK(sso_token_expired(token, at("2026-12-04T19:00:00Z")));
    CHECK(sso_token_expired(token, at("2026-12-05T00:00:00Z")));
}

TEST_CASE("the portal's role credentials, expiration in epoch milliseconds", "[sso]") {
    const auto credentials = parse_sso_role_credentials(
        R"({"roleCredentials": {"accessKeyId": "ASIA1", "secretAccessKey": "s", "sessionToken": "t",
            "expiration": 1796410800000}})");
    REQUIRE(credentials.ok());
    CHECK(credentials->keys.access_key_id == "ASIA1");
    CHECK(credentials->keys.secret_access_key == "s");
    CHECK(credentials->keys.session_token == "t");
    REQUIRE(credentials->expiration);
    CHECK(credentials->expiration->time_since_epoch().count() == 1796410800);

    CHECK_FALSE(parse_sso_role_credentials(R"({"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "s",
        "sessionToken": "t"}})")
                    .ok());
    CHECK_FALSE(parse_sso_role_credentials(R"({"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "s",
        "expiration": 1}})")
                    .ok());
    CHECK_FALSE(parse_sso_role_credentials(R"({"message": "x"})").ok());
}
