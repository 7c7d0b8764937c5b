#pragma once
// The clocks the review pipeline reads, as an interface it is given: the
// wall clock (token dates, expirations) and the steady clock (cache TTLs,
// latencies). The server runs on system_clock(); tests drive a manual one,
// so nothing that depends on time has to sleep to be tested.

#include <chrono>

#include "core/util/amz_time.hpp"

namespace aia::app {

class Clock {
public:
    virtual ~Clock() = default;
    virtual amz_time::Seconds wall_now() const = 0;
    virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

// The real clocks; one instance for the whole program.
const Clock& system_clock();

}  // namespace aia::app
