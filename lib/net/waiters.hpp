#pragma once
// Coroutines of one io_context waiting until another coroutine finishes
// something they all need (a credential refresh, an EC2 lookup), each with
// its own deadline. Single-threaded: use from the io_context's thread only.

#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "net/asio.hpp"

namespace aia::net {

class Waiters {
public:
    explicit Waiters(asio::io_context& io) : io_(io) {}

    // True when woken by wake_all(), false when the deadline came first.
    awaitable<bool> wait(std::chrono::steady_clock::duration deadline);

    void wake_all() {
        for (auto& timer : std::exchange(timers_, {})) timer->cancel();
    }

    bool empty() const { return timers_.empty(); }

private:
    asio::io_context& io_;
    std::vector<std::shared_ptr<asio::steady_timer>> timers_;
};

}  // namespace aia::net
