#include "app/settled_content.hpp"

#include <algorithm>

namespace aia::app {

SettledContent::Verdict SettledContent::observe(const std::string& fingerprint, Clock::time_point now,
                                                bool even_if_unchanged) {
    if (fingerprint == acted_on_ && !even_if_unchanged) {
        pending_.clear();
        return Verdict::Unchanged;
    }
    if (fingerprint != pending_) {
        pending_ = fingerprint;
        pending_since_ = now;
        return Verdict::Settling;
    }
    // Two reads close together (two change events of one write) prove nothing.
    if (now - pending_since_ < settle_time_) return Verdict::Settling;
    pending_.clear();
    acted_on_ = fingerprint;
    return Verdict::Settled;
}

std::chrono::milliseconds SettledContent::settle_time_left(Clock::time_point now) const {
    if (pending_.empty()) return std::chrono::milliseconds{0};
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(pending_since_ + settle_time_ - now);
    return std::max(left, std::chrono::milliseconds{0});
}

void SettledContent::accept(std::string fingerprint) {
    pending_.clear();
    acted_on_ = std::move(fingerprint);
}

}  // namespace aia::app
