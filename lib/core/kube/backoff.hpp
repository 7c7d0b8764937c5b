#pragma once
// Delays between retries: exponential, bounded, with jitter so that many
// servers losing the API at once do not come back in step. Pure: the random
// fraction is drawn by the caller.

#include <chrono>

namespace aia::kube {

enum class Jitter {
    None,   // the exponential delay itself
    Full,   // uniform in [0, delay)
    Equal,  // delay/2 plus uniform in [0, delay/2)
};

struct BackoffPolicy {
    std::chrono::milliseconds initial{250};
    std::chrono::milliseconds max{30'000};
    Jitter jitter = Jitter::Equal;
};

// The delay before retry number `attempt` (0 for the first retry): initial
// doubled `attempt` times, capped at max, then jittered with
// `random_fraction` in [0, 1) (values outside are clamped; NaN counts as 0).
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, unsigned attempt, double random_fraction);

}  // namespace aia::kube
