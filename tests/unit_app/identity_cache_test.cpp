#include <catch2/catch.hpp>

#include <optional>

#include "app/identity_cache.hpp"
#include "support/scripted.hpp"

using aia::app::IdentityCache;
using aia::app::IdentityCacheOptions;
using aia::app::Metrics;
using aia::app::SharedAnswer;
namespace net = aia::net;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

const aia::identity::CacheKey kKey = aia::crypto::sha256("k8s-aws-v1.some-token");
const aia::amz_time::Seconds kSignedAt{std::chrono::seconds{1'700'000'000}};  // the token's X-Amz-Date

IdentityCacheOptions options(std::chrono::milliseconds wait_for_other = 10s) {
    return {.ttl = 2min, .max_entries = 1000, .max_bytes = 1 << 20, .wait_for_other = wait_for_other};
}

SharedAnswer alice() {
    SharedAnswer answer;
    answer.identity.emplace();
    answer.identity->arn = "arn:aws:iam::111122223333:user/alice";
    return answer;
}

// A lookup started on `io`, run until it waits or finishes.
struct PendingLookup {
    std::optional<IdentityCache::Lookup> result;
    PendingLookup(net::asio::io_context& io, IdentityCache& cache) {
        net::asio::co_spawn(io, cache.lookup(kKey), [this](std::exception_ptr, IdentityCache::Lookup lookup) {
            result.emplace(std::move(lookup));
        });
        io.poll();
    }
};

IdentityCache::Lookup lookup_now(IdentityCache& cache) {
    net::asio::io_context io;
    PendingLookup pending(io, cache);
    REQUIRE(pending.result.has_value());
    return std::move(*pending.result);
}

double sample(const Metrics& metrics, const std::string& name) {
    const std::string text = metrics.render();
    const auto at = text.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("identity cache: a review on another worker waits for the lead's answer", "[identity-cache]") {
    Metrics metrics;
    IdentityCache cache(options(), metrics);
    IdentityCache::Lookup lead = lookup_now(cache);
    REQUIRE_FALSE(lead.answer);

    net::asio::io_context other_worker;
    PendingLookup follower(other_worker, cache);
    CHECK_FALSE(follower.result);  // waiting, not asking STS itself

    lead.lead.finish(alice(), kSignedAt, Clock::now() + 10min);
    other_worker.run_for(5s);
    REQUIRE(follower.result);
    REQUIRE(follower.result->answer);
    CHECK(follower.result->shared);
    CHECK(follower.result->answer->identity->arn == "arn:aws:iam::111122223333:user/alice");

    const IdentityCache::Lookup later = lookup_now(cache);
    REQUIRE(later.answer);
    CHECK_FALSE(later.shared);
    CHECK(sample(metrics, "aws_iam_authenticator_identity_cache_misses_total") == 1);
    CHECK(sample(metrics, "aws_iam_authenticator_identity_cache_shared_total") == 1);
    CHECK(sample(metrics, "aws_iam_authenticator_identity_cache_hits_total") == 1);
    CHECK(sample(metrics, "aws_iam_authenticator_identity_cache_entries") == 1);
}

TEST_CASE("identity cache: a failure reaches the waiting reviews but is not stored", "[identity-cache]") {
    Metrics metrics;
    IdentityCache cache(options(), metrics);
    IdentityCache::Lookup lead = lookup_now(cache);
    net::asio::io_context other_worker;
    PendingLookup follower(other_worker, cache);

    SharedAnswer refused;
    refused.failure = aia::auth::Outcome::StsError;
    refused.reason = "sts getCallerIdentity failed: error from AWS (expected 200, got 403)";
    lead.lead.finish(refused, kSignedAt, Clock::now() + 10min);
    other_worker.run_for(5s);
    REQUIRE(follower.result);
    REQUIRE(follower.result->answer);
    CHECK_FALSE(follower.result->answer->identity);
    CHECK(follower.result->answer->reason == refused.reason);

    const IdentityCache::Lookup later = lookup_now(cache);
    CHECK_FALSE(later.answer);  // asks STS again
    CHECK(sample(metrics, "aws_iam_authenticator_identity_cache_entries") == 0);
}

TEST_CASE("identity cache: when the lead gives up, a waiting review asks alone", "[identity-cache]") {
    Metrics metrics;
    IdentityCache cache(options(), metrics);
    std::optional<IdentityCache::Lookup> lead = lookup_now(cache);
    net::asio::io_context other_worker;
    PendingLookup follower(other_worker, cache);

    lead.reset();  // e.g. the lead's coroutine was destroyed
    other_worker.run_for(5s);
    REQUIRE(follower.result);
    CHECK_FALSE(follower.result->answer);
    CHECK_FALSE(follower.result->shared);

    // Its answer is stored like any other.
    follower.result->lead.finish(alice(), kSignedAt, Clock::now() + 10min);
    CHECK(lookup_now(cache).answer);
}

TEST_CASE("identity cache: a waiting review stops waiting at its deadline", "[identity-cache]") {
    Metrics metrics;
    IdentityCache cache(options(50ms), metrics);
    IdentityCache::Lookup lead = lookup_now(cache);
    net::asio::io_context other_worker;
    const auto started = Clock::now();
    PendingLookup follower(other_worker, cache);
    other_worker.run_for(5s);
    REQUIRE(follower.result);
    CHECK_FALSE(follower.result->answer);
    CHECK(Clock::now() - started >= 50ms);
    CHECK(Clock::now() - started < 4s);
}

TEST_CASE("identity cache: an answer is kept no longer than its token is valid", "[identity-cache]") {
    Metrics metrics;
    aia::test::ManualClock clock(aia::amz_time::Seconds{});
    IdentityCache cache(options(), metrics, clock);
    lookup_now(cache).lead.finish(alice(), kSignedAt, clock.steady_now() + 30s);
    clock.advance(29s);
    CHECK(lookup_now(cache).answer);
    clock.advance(2s);
    CHECK_FALSE(lookup_now(cache).answer);
    CHECK(sample(metrics, "aws_iam_authenticator_identity_cache_evictions_total{reason=\"expired\"}") == 1);
}

TEST_CASE("identity cache: an answer is kept no longer than the cache's TTL", "[identity-cache]") {
    Metrics metrics;
    aia::test::ManualClock clock(aia::amz_time::Seconds{});
    IdentityCache cache(options(), metrics, clock);  // TTL 2 minutes
    lookup_now(cache).lead.finish(alice(), kSignedAt, clock.steady_now() + 10min);
    clock.advance(119s);
    CHECK(lookup_now(cache).answer);
    clock.advance(2s);
    CHECK_FALSE(lookup_now(cache).answer);
}

TEST_CASE("identity cache: find answers at once only while the token's window allows, counting only its answers",
          "[identity-cache]") {
    Metrics metrics;
    aia::test::ManualClock clock(aia::amz_time::Seconds{});
    IdentityCache cache(options(), metrics, clock);
    std::vector<aia::amz_time::Seconds> asked;
    bool valid = true;
    const auto still_valid = [&](aia::amz_time::Seconds signed_at) {
        asked.push_back(signed_at);
        return valid;
    };

    CHECK_FALSE(cache.find(kKey, still_valid));  // nothing stored yet
    CHECK(asked.empty());
    lookup_now(cache).lead.finish(alice(), kSignedAt, clock.steady_now() + 10min);

    const auto found = cache.find(kKey, still_valid);
    REQUIRE(found);
    CHECK(found->arn == "arn:aws:iam::111122223333:user/alice");
    REQUIRE(asked.size() == 1);
    CHECK(asked[0] == kSignedAt);  // the signing time stored with the answer

    valid = false;  // the token has aged out (or the wall clock moved)
    CHECK_FALSE(cache.find(kKey, still_valid));
    CHECK(sample(metrics, "aws_iam_authenticator_identity_cache_hits_total") == 1);
    CHECK(lookup_now(cache).answer);  // still stored: the offline checks decide for such a token
}
