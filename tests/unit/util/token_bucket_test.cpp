#include <catch2/catch.hpp>

#include "core/util/token_bucket.hpp"

using namespace aia;
using namespace std::chrono_literals;

TEST_CASE("a token bucket allows its burst, then its rate", "[token-bucket]") {
    const TokenBucket::Clock::time_point start{};
    TokenBucket bucket(10, 3, start);  // 10/s, burst 3
    CHECK(bucket.take(start) == 0ms);
    CHECK(bucket.take(start) == 0ms);
    CHECK(bucket.take(start) == 0ms);
    const auto wait = bucket.take(start);
    CHECK(wait > 99ms);
    CHECK(wait <= 100ms);
    CHECK(bucket.take(start + 100ms) == 0ms);  // one token refilled
    CHECK(bucket.take(start + 100ms) > 0ms);
    // Idle time saves up at most the burst.
    CHECK(bucket.take(start + 10s) == 0ms);
    CHECK(bucket.take(start + 10s) == 0ms);
    CHECK(bucket.take(start + 10s) == 0ms);
    CHECK(bucket.take(start + 10s) > 0ms);
}

TEST_CASE("a paused token bucket refills only after the pause", "[token-bucket]") {
    const TokenBucket::Clock::time_point start{};
    TokenBucket bucket(10, 5, start);
    bucket.pause_until(start + 2s);
    CHECK(bucket.take(start + 1s) > 0ms);
    CHECK(bucket.take(start + 2s) > 0ms);           // paused: empty at the end of the pause
    CHECK(bucket.take(start + 2s + 100ms) == 0ms);  // then the rate again
}

TEST_CASE("a token bucket with no rate never refills", "[token-bucket]") {
    const TokenBucket::Clock::time_point start{};
    TokenBucket bucket(0, 1, start);
    CHECK(bucket.take(start) == 0ms);
    CHECK(bucket.take(start + 1h) == 1min);
}
