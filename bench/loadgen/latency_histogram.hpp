#pragma once
// Latencies in microseconds, HDR-style: exact below 128 µs, then 64 buckets
// per power of two (every value within 1.6% of its bucket's bounds), from
// 1 µs to over a day, in a fixed array: recording is an increment, merging
// an addition, and percentiles are read without sorting anything.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace aia::bench {

class LatencyHistogram {
public:
    void record(std::uint64_t micros) {
        ++counts_[index_of(micros)];
        ++total_;
        max_ = std::max(max_, micros);
        sum_ += micros;
    }

    void merge(const LatencyHistogram& other) {
        for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
        total_ += other.total_;
        max_ = std::max(max_, other.max_);
        sum_ += other.sum_;
    }

    std::uint64_t count() const { return total_; }
    std::uint64_t max() const { return max_; }
    double mean() const { return total_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(total_); }

    // The smallest recorded bucket's upper bound below which at least
    // `fraction` of the values lie (the conservative reading, as HDR's
    // "highest equivalent value"); never above the exact maximum.
    std::uint64_t percentile(double fraction) const {
        if (total_ == 0) return 0;
        const auto wanted = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(total_)));
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < counts_.size(); ++i) {
            seen += counts_[i];
            if (seen >= std::max<std::uint64_t>(wanted, 1)) return std::min(upper_bound_of(i), max_);
        }
        return max_;
    }

    // The buckets, for a figure: how many values bucket `index` holds, and
    // its bounds (both inclusive).
    static constexpr std::size_t bucket_count() { return kBuckets; }
    std::uint64_t count_at(std::size_t index) const { return counts_[index]; }

    static std::size_t index_of(std::uint64_t micros) {
        if (micros < kExact) return static_cast<std::size_t>(micros);
        const int msb = static_cast<int>(std::bit_width(micros)) - 1;  // >= 7
        const int shift = msb - 6;
        const auto top = static_cast<std::size_t>(micros >> shift);  // 64..127
        return std::min(kExact + static_cast<std::size_t>(shift - 1) * 64 + (top - 64), kBuckets - 1);
    }

    static std::uint64_t upper_bound_of(std::size_t index) {
        if (index < kExact) return index;
        const std::size_t shift = (index - kExact) / 64 + 1;
        const std::uint64_t top = (index - kExact) % 64 + 64;
        return ((top + 1) << shift) - 1;
    }

    static std::uint64_t lower_bound_of(std::size_t index) {
        return index <= kExact ? index : upper_bound_of(index - 1) + 1;
    }

private:
    static constexpr std::size_t kExact = 128;
    static constexpr std::size_t kBuckets = kExact + 64 * 40;

    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t total_ = 0;
    std::uint64_t max_ = 0;
    std::uint64_t sum_ = 0;
};

}  // namespace aia::bench
