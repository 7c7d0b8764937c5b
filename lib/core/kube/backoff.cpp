#include "core/kube/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace aia::kube {
namespace {

double clamp_fraction(double fraction) {
    if (std::isnan(fraction) || fraction < 0) return 0;
    return std::min(fraction, std::nextafter(1.0, 0.0));
}

// initial * 2^attempt, capped before it can overflow.
std::chrono::milliseconds exponential(const BackoffPolicy& policy, unsigned attempt) {
    const auto cap = std::max(policy.max, std::chrono::milliseconds{0});
    auto delay = std::clamp(policy.initial, std::chrono::milliseconds{0}, cap);
    for (unsigned i = 0; i < attempt && delay < cap && delay.count() > 0; ++i) {
        delay = delay > cap / 2 ? cap : delay * 2;
    }
    return delay;
}

}  // namespace

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, unsigned attempt, double random_fraction) {
    const std::chrono::milliseconds delay = exponential(policy, attempt);
    const double fraction = clamp_fraction(random_fraction);
    const auto scaled = [fraction](std::chrono::milliseconds span) {
        return std::chrono::milliseconds{
            static_cast<std::chrono::milliseconds::rep>(std::floor(static_cast<double>(span.count()) * fraction))};
    };
    switch (policy.jitter) {
        case Jitter::None:
            return delay;
        case Jitter::Full:
            return scaled(delay);
        case Jitter::Equal:
            return delay - delay / 2 + scaled(delay / 2);
    }
    return delay;
}

}  // namespace aia::kube
