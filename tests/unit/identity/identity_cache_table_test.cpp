#include <catch2/catch.hpp>

#include "core/identity/identity_cache_table.hpp"

using namespace aia;
using identity::CacheEvictions;
using identity::CacheKey;
using identity::CacheLimits;
using identity::CacheTime;
using identity::IdentityCacheTable;
using namespace std::chrono_literals;

namespace {

CacheKey key_of(std::string_view token) { return crypto::sha256(token); }

// When the tokens were signed: kept with each answer.
const amz_time::Seconds kSignedAt{std::chrono::seconds{1'700'000'000}};

identity::CachedIdentity identity_named(std::string_view user) {
    identity::Identity identity;
    identity.arn = "arn:aws:iam::111122223333:user/" + std::string(user);
    identity.canonical_arn = identity.arn;
    identity.account_id = "111122223333";
    identity.user_id = "AIDAEXAMPLE" + std::string(user);
    identity.access_key_id = "AKIAEXAMPLE";
    identity.sts_host = "sts.amazonaws.com";
    return {std::move(identity), kSignedAt};
}

const CacheTime t0{std::chrono::hours{1}};

std::string found_arn(IdentityCacheTable& table, std::string_view token, CacheTime now) {
    CacheEvictions evicted;
    const identity::CachedIdentity* found = table.find(key_of(token), now, evicted);
    return found ? found->identity.arn : "";
}

}  // namespace

TEST_CASE("identity cache table: an answer is found until it expires, then dropped") {
    IdentityCacheTable table({.max_entries = 10, .max_bytes = 1 << 20});
    CacheEvictions evicted;
    table.put(key_of("token-a"), identity_named("alice"), t0 + 60s, t0, evicted);

    CHECK(found_arn(table, "token-a", t0) == "arn:aws:iam::111122223333:user/alice");
    CHECK(found_arn(table, "token-a", t0 + 59s) == "arn:aws:iam::111122223333:user/alice");
    CHECK(found_arn(table, "token-b", t0).empty());
    CacheEvictions none;
    const identity::CachedIdentity* found = table.find(key_of("token-a"), t0, none);
    REQUIRE(found != nullptr);
    CHECK(found->signed_at == kSignedAt);

    CacheEvictions at_expiry;
    CHECK(table.find(key_of("token-a"), t0 + 60s, at_expiry) == nullptr);
    CHECK(at_expiry.expired == 1);
    CHECK(table.size() == 0);
    CHECK(table.bytes() == 0);
}

TEST_CASE("identity cache table: the least recently used entry goes when the entry limit is reached") {
    IdentityCacheTable table({.max_entries = 2, .max_bytes = 1 << 20});
    CacheEvictions evicted;
    table.put(key_of("a"), identity_named("a"), t0 + 60s, t0, evicted);
    table.put(key_of("b"), identity_named("b"), t0 + 60s, t0, evicted);
    REQUIRE_FALSE(found_arn(table, "a", t0).empty());  // "b" is now the least recently used
    table.put(key_of("c"), identity_named("c"), t0 + 60s, t0, evicted);

    CHECK(evicted.capacity == 1);
    CHECK(table.size() == 2);
    CHECK_FALSE(found_arn(table, "a", t0).empty());
    CHECK(found_arn(table, "b", t0).empty());
    CHECK_FALSE(found_arn(table, "c", t0).empty());
}

TEST_CASE("identity cache table: the byte limit holds, counting every entry's strings") {
    const identity::Identity sample = identity_named(std::string(200, 'x')).identity;
    const std::size_t one = IdentityCacheTable::footprint(sample);
    CHECK(one > 400);  // the long ARN is on the heap twice (arn and canonical_arn)

    IdentityCacheTable table({.max_entries = 100, .max_bytes = 3 * one});
    CacheEvictions evicted;
    for (int i = 0; i < 10; ++i) {
        table.put(key_of("token" + std::to_string(i)), identity_named(std::string(200, 'x')), t0 + 60s, t0, evicted);
        CHECK(table.bytes() <= 3 * one);
    }
    CHECK(table.size() == 3);
    CHECK(evicted.capacity == 7);
    CHECK_FALSE(found_arn(table, "token9", t0).empty());
    CHECK(found_arn(table, "token6", t0).empty());

    SECTION("an entry bigger than the whole limit is not stored") {
        IdentityCacheTable small({.max_entries = 100, .max_bytes = one - 1});
        small.put(key_of("big"), identity_named(std::string(200, 'x')), t0 + 60s, t0, evicted);
        CHECK(small.size() == 0);
        CHECK(small.bytes() == 0);
    }
}

TEST_CASE("identity cache table: expired entries at the old end go before live ones") {
    IdentityCacheTable table({.max_entries = 2, .max_bytes = 1 << 20});
    CacheEvictions evicted;
    table.put(key_of("short"), identity_named("short"), t0 + 5s, t0, evicted);
    table.put(key_of("long"), identity_named("long"), t0 + 60s, t0, evicted);
    table.put(key_of("new"), identity_named("new"), t0 + 60s, t0 + 10s, evicted);

    CHECK(evicted.expired == 1);
    CHECK(evicted.capacity == 0);
    CHECK_FALSE(found_arn(table, "long", t0 + 10s).empty());
    CHECK_FALSE(found_arn(table, "new", t0 + 10s).empty());
}

TEST_CASE("identity cache table: put replaces an answer and keeps the byte count exact") {
    IdentityCacheTable table({.max_entries = 10, .max_bytes = 1 << 20});
    CacheEvictions evicted;
    table.put(key_of("a"), identity_named("first"), t0 + 60s, t0, evicted);
    table.put(key_of("a"), identity_named("second-and-longer-name-than-before"), t0 + 60s, t0, evicted);
    CHECK(table.size() == 1);
    CHECK(found_arn(table, "a", t0).ends_with("second-and-longer-name-than-before"));
    CHECK(table.bytes() ==
          IdentityCacheTable::footprint(identity_named("second-and-longer-name-than-before").identity));

    SECTION("an answer that is already expired is not stored, and removes the old one") {
        table.put(key_of("a"), identity_named("late"), t0, t0, evicted);
        CHECK(table.size() == 0);
        CHECK(table.bytes() == 0);
    }
    SECTION("no entries allowed: nothing is stored") {
        IdentityCacheTable none({.max_entries = 0, .max_bytes = 1 << 20});
        none.put(key_of("a"), identity_named("a"), t0 + 60s, t0, evicted);
        CHECK(none.size() == 0);
    }
}
