// Signals become calls on the control thread: SIGHUP a reload, the first
// SIGTERM/SIGINT a graceful shutdown, any later one an immediate stop.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "app/signal_control.hpp"

using namespace std::chrono_literals;

namespace {

// Waits (bounded) until `value` reaches `expected`.
bool reaches(const std::atomic<int>& value, int expected) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (value.load() < expected && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    return value.load() == expected;
}

}  // namespace

TEST_CASE("signal control: SIGHUP reloads, the first SIGTERM shuts down, the next stops now", "[signals]") {
    std::atomic<int> reloads{0}, shutdowns{0}, stops{0};
    std::atomic<int> shutdown_signal{0}, stop_signal{0};
    aia::app::SignalControl control({
        .reload = [&] { ++reloads; },
        .shutdown =
            [&](int signal) {
                shutdown_signal = signal;
                ++shutdowns;
            },
        .stop_now =
            [&](int signal) {
                stop_signal = signal;
                ++stops;
            },
    });
    REQUIRE(std::raise(SIGHUP) == 0);
    CHECK(reaches(reloads, 1));
    REQUIRE(std::raise(SIGHUP) == 0);
    CHECK(reaches(reloads, 2));
    CHECK(shutdowns == 0);

    REQUIRE(std::raise(SIGTERM) == 0);
    CHECK(reaches(shutdowns, 1));
    CHECK(shutdown_signal == SIGTERM);
    CHECK(stops == 0);

    REQUIRE(std::raise(SIGINT) == 0);
    CHECK(reaches(stops, 1));
    CHECK(stop_signal == SIGINT);
    CHECK(shutdowns == 1);
}
