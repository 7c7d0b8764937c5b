#include <catch2/catch.hpp>

#include "core/client/credential_cache_file.hpp"

using namespace aia;

namespace {

aws::AwsCredentials temporary(std::string key, std::string_view expires) {
    aws::AwsCredentials credentials;
    credentials.keys.access_key_id = std::move(key);
    credentials.keys.secret_access_key = "secret/with+chars";
    credentials.keys.session_token = "token==";
    credentials.source = "assumed role arn:aws:iam::111122223333:role/Dev";
    credentials.expiration = amz_time::parse_rfc3339(expires).value();
    return credentials;
}

}  // namespace

TEST_CASE("cache entries round-trip, keyed by cluster, profile and role", "[credential-cache]") {
    client::CredentialCacheFile cache = client::CredentialCacheFile::parse("").value();
    const client::CacheKey with_role{"prod", "default", "arn:aws:iam::111122223333:role/Dev"};
    const client::CacheKey without_role{"prod", "default", ""};
    cache.put(with_role, temporary("ASIA1", "2026-11-23T19:00:00Z"));
    cache.put(without_role, temporary("ASIA2", "2026-11-23T20:00:00Z"));
    aws::AwsCredentials permanent;
    permanent.keys = {"AKIA3", "s", ""};
    cache.put({"prod", "other", ""}, permanent);  // not temporary: never cached

    const auto reread = client::CredentialCacheFile::parse(cache.render());
    REQUIRE(reread.ok());
    const auto found = reread->find(with_role);
    REQUIRE(found);
    CHECK(found->keys.access_key_id == "ASIA1");
    CHECK(found->keys.secret_access_key == "secret/with+chars");
    CHECK(found->keys.session_token == "token==");
    CHECK(found->source == "assumed role arn:aws:iam::111122223333:role/Dev");
    CHECK(amz_time::format_rfc3339(*found->expiration) == "2026-11-23T19:00:00Z");
    CHECK(reread->find(without_role)->keys.access_key_id == "ASIA2");
    CHECK_FALSE(reread->find({"prod", "other", ""}));
    CHECK_FALSE(reread->find({"staging", "default", ""}));
    CHECK_FALSE(reread->find({"prod", "default", "arn:aws:iam::111122223333:role/Other"}));
}

TEST_CASE("upstream's cache files are read, unreadable entries dropped", "[credential-cache]") {
    const auto cache = client::CredentialCacheFile::parse(R"(clusters:
  prod:
    default:
      "":
        accesskeyid: ASIAUPSTREAM
        secretaccesskey: s
        sessiontoken: t
        source: SharedConfigCredentials
        canexpire: true
        expires: 2026-11-23T19:00:00.123456789Z
        accountid: ""
      arn:aws:iam::111122223333:role/Local:
        accesskeyid: ASIALOCAL
        secretaccesskey: s
        canexpire: true
        expires: 2026-11-23T20:00:00.5+01:00
      arn:aws:iam::111122223333:role/Forever:
        accesskeyid: AKIA
        secretaccesskey: s
        canexpire: false
)");
    REQUIRE(cache.ok());
    const auto upstream = cache->find({"prod", "default", ""});
    REQUIRE(upstream);
    CHECK(upstream->keys.access_key_id == "ASIAUPSTREAM");
    CHECK(amz_time::format_rfc3339(*upstream->expiration) == "2026-11-23T19:00:00Z");
    CHECK_FALSE(cache->find({"prod", "default", "arn:aws:iam::111122223333:role/Local"}));
    CHECK_FALSE(cache->find({"prod", "default", "arn:aws:iam::111122223333:role/Forever"}));
}

TEST_CASE("a file that is not a credential cache is an error", "[credential-cache]") {
    CHECK_FALSE(client::CredentialCacheFile::parse("[1, 2]").ok());
    CHECK_FALSE(client::CredentialCacheFile::parse("clusters: [1]").ok());
    CHECK_FALSE(client::CredentialCacheFile::parse("clusters: {a: [unclosed").ok());
    CHECK(client::CredentialCacheFile::parse("clusters:\n").ok());
}
