#pragma once
// The wall clock, to the second: what token signing times, expirations and
// SigV4 dates are compared with. (The core takes `now` as a parameter and
// never reads a clock; the shell reads it here.)

#include <chrono>

#include "core/util/amz_time.hpp"

namespace aia::app {

inline amz_time::Seconds wall_clock_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace aia::app
