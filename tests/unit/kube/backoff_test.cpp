// Retry delays: exponential, capped, jittered by an injected fraction.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "core/kube/backoff.hpp"

using namespace aia::kube;
using std::chrono::milliseconds;

TEST_CASE("without jitter the delay doubles up to the cap", "[kube]") {
    const BackoffPolicy policy{milliseconds{250}, milliseconds{30'000}, Jitter::None};
    CHECK(backoff_delay(policy, 0, 0.5) == milliseconds{250});
    CHECK(backoff_delay(policy, 1, 0.5) == milliseconds{500});
    CHECK(backoff_delay(policy, 6, 0.5) == milliseconds{16'000});
    CHECK(backoff_delay(policy, 7, 0.5) == milliseconds{30'000});
    CHECK(backoff_delay(policy, 4'000'000'000u, 0.5) == milliseconds{30'000});
}

TEST_CASE("full jitter spreads from zero up to the delay", "[kube]") {
    const BackoffPolicy policy{milliseconds{250}, milliseconds{30'000}, Jitter::Full};
    CHECK(backoff_delay(policy, 2, 0.0) == milliseconds{0});
    CHECK(backoff_delay(policy, 2, 0.5) == milliseconds{500});
    CHECK(backoff_delay(policy, 2, 0.999999) == milliseconds{999});
}

TEST_CASE("equal jitter keeps at least half the delay", "[kube]") {
    const BackoffPolicy policy{milliseconds{250}, milliseconds{30'000}, Jitter::Equal};
    CHECK(backoff_delay(policy, 0, 0.0) == milliseconds{125});
    CHECK(backoff_delay(policy, 0, 0.5) == milliseconds{187});
    CHECK(backoff_delay(policy, 20, 0.0) == milliseconds{15'000});
    CHECK(backoff_delay(policy, 20, 0.999999) == milliseconds{29'999});
}

TEST_CASE("fractions and policies out of range are tamed", "[kube]") {
    const BackoffPolicy full{milliseconds{1000}, milliseconds{1000}, Jitter::Full};
    CHECK(backoff_delay(full, 0, -3.0) == milliseconds{0});
    CHECK(backoff_delay(full, 0, std::nan("")) == milliseconds{0});
    CHECK(backoff_delay(full, 0, 1.0) == milliseconds{999});
    CHECK(backoff_delay(full, 0, std::numeric_limits<double>::infinity()) == milliseconds{999});
    const BackoffPolicy inverted{milliseconds{5000}, milliseconds{100}, Jitter::None};
    CHECK(backoff_delay(inverted, 0, 0.0) == milliseconds{100});
    const BackoffPolicy negative{milliseconds{-5}, milliseconds{100}, Jitter::None};
    CHECK(backoff_delay(negative, 3, 0.0) == milliseconds{0});
}
