#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "latency_histogram.hpp"

using aia::bench::LatencyHistogram;

TEST_CASE("buckets are exact below 128 µs and within 1.6% above", "[histogram]") {
    for (std::uint64_t v = 0; v < 128; ++v) CHECK(LatencyHistogram::upper_bound_of(LatencyHistogram::index_of(v)) == v);
    std::size_t previous = 0;
    for (std::uint64_t v = 128; v < 50'000'000; v += v / 97 + 1) {
        const std::size_t index = LatencyHistogram::index_of(v);
        CHECK(index >= previous);  // monotonic
        previous = index;
        const std::uint64_t upper = LatencyHistogram::upper_bound_of(index);
        INFO(v);
        CHECK(upper >= v);
        CHECK(static_cast<double>(upper - v) <= static_cast<double>(v) * 0.016);
    }
}

TEST_CASE("percentiles match a sorted list's within a bucket", "[histogram]") {
    std::mt19937_64 random(42);
    std::lognormal_distribution<double> latency(8.0, 1.0);  // around 3 ms, long tail
    std::vector<std::uint64_t> values;
    LatencyHistogram histogram, half_a, half_b;
    for (int i = 0; i < 100'000; ++i) {
        const auto v = static_cast<std::uint64_t>(latency(random));
        values.push_back(v);
        histogram.record(v);
        (i % 2 ? half_a : half_b).record(v);
    }
    std::sort(values.begin(), values.end());
    half_a.merge(half_b);
    for (double p : {0.5, 0.9, 0.99, 0.999}) {
        const std::uint64_t exact =
            values[static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size()))) - 1];
        INFO(p);
        CHECK(histogram.percentile(p) >= exact);
        CHECK(static_cast<double>(histogram.percentile(p)) <= static_cast<double>(exact) * 1.016 + 1);
        CHECK(half_a.percentile(p) == histogram.percentile(p));
    }
    CHECK(histogram.max() == values.back());
    CHECK(histogram.percentile(1.0) == values.back());
    CHECK(histogram.count() == values.size());
    CHECK(LatencyHistogram{}.percentile(0.99) == 0);
}

TEST_CASE("the buckets tile the range and count what was recorded", "[histogram]") {
    // Each bucket starts one past where the one before ends.
    CHECK(LatencyHistogram::lower_bound_of(0) == 0);
    for (std::size_t i = 1; i < LatencyHistogram::bucket_count(); ++i) {
        INFO(i);
        REQUIRE(LatencyHistogram::lower_bound_of(i) == LatencyHistogram::upper_bound_of(i - 1) + 1);
        REQUIRE(LatencyHistogram::lower_bound_of(i) <= LatencyHistogram::upper_bound_of(i));
    }
    LatencyHistogram histogram;
    for (std::uint64_t v : {5u, 5u, 130u, 131u, 40'000u}) histogram.record(v);
    CHECK(histogram.count_at(5) == 2);
    const std::size_t at_130 = LatencyHistogram::index_of(130);
    CHECK(LatencyHistogram::lower_bound_of(at_130) <= 130);
    CHECK(LatencyHistogram::upper_bound_of(at_130) >= 131);
    CHECK(histogram.count_at(at_130) == 2);  // 130 and 131 share a bucket of width 2
    CHECK(histogram.count_at(LatencyHistogram::index_of(40'000)) == 1);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < LatencyHistogram::bucket_count(); ++i) total += histogram.count_at(i);
    CHECK(total == 5);
}
