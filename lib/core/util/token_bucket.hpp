#pragma once
// A token bucket: `rate` tokens a second, at most `burst` saved up. Pure:
// the caller passes the time, so tests need no clock.

#include <algorithm>
#include <chrono>

namespace aia {

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    // Starts full. A rate of zero or less never refills.
    TokenBucket(double rate, int burst, Clock::time_point now)
        : rate_(rate), burst_(std::max(1, burst)), tokens_(burst_), updated_(now) {}

    // Takes one token if there is one; otherwise how long until there will be.
    // (A wait longer than a minute means "not soon": a zero rate.)
    Clock::duration take(Clock::time_point now) {
        refill(now);
        if (tokens_ >= 1.0) {
            tokens_ -= 1.0;
            return Clock::duration::zero();
        }
        if (rate_ <= 0) return std::chrono::minutes{1};
        const auto wait = std::chrono::duration<double>((1.0 - tokens_) / rate_);
        return std::max<Clock::duration>(std::chrono::duration_cast<Clock::duration>(wait),
                                         std::chrono::milliseconds{1});
    }

    // Empties the bucket until `until` (AWS asked us to slow down).
    void pause_until(Clock::time_point until) {
        tokens_ = 0;
        updated_ = std::max(updated_, until);
    }

private:
    void refill(Clock::time_point now) {
        if (now <= updated_) return;
        tokens_ = std::min<double>(burst_, tokens_ + std::chrono::duration<double>(now - updated_).count() * rate_);
        updated_ = now;
    }

    double rate_;
    int burst_;
    double tokens_;
    Clock::time_point updated_;
};

}  // namespace aia
