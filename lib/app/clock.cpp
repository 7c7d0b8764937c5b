#include "app/clock.hpp"

#include "app/wall_clock.hpp"

namespace aia::app {
namespace {

class SystemClock final : public Clock {
public:
    amz_time::Seconds wall_now() const override { return wall_clock_now(); }
    std::chrono::steady_clock::time_point steady_now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

const Clock& system_clock() {
    static const SystemClock clock;
    return clock;
}

}  // namespace aia::app
