// MemoryTrimmer: a trim once a burst is over, none while work goes on or
// while the server stays quiet; its thread looks every interval.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "app/memory_trimmer.hpp"

using namespace aia;
using namespace std::chrono_literals;

TEST_CASE("MemoryTrimmer trims once after a burst, never during one or while quiet", "[trimmer]") {
    std::uint64_t activity = 0;
    int trims = 0;
    app::MemoryTrimmer trimmer([&] { return activity; }, 1s, [&] { ++trims; });

    CHECK_FALSE(trimmer.look());  // quiet from the start: nothing to give back
    CHECK_FALSE(trimmer.look());
    activity += 5;
    CHECK_FALSE(trimmer.look());  // busy
    activity += 7;
    CHECK_FALSE(trimmer.look());  // still busy
    CHECK(trimmer.look());        // the first quiet look after it
    CHECK_FALSE(trimmer.look());  // and only once
    CHECK_FALSE(trimmer.look());
    CHECK(trims == 1);

    // A count that goes down (connections closing) is activity too.
    activity -= 3;
    CHECK_FALSE(trimmer.look());
    CHECK(trimmer.look());
    CHECK(trims == 2);
    CHECK(trimmer.trims() == 2);
}

TEST_CASE("MemoryTrimmer's thread looks every interval", "[trimmer]") {
    std::atomic<std::uint64_t> activity{0};
    std::atomic<int> trims{0};
    app::MemoryTrimmer trimmer([&] { return activity.load(); }, 10ms, [&] { ++trims; });
    trimmer.start();
    activity = 1;  // a burst, then quiet: one trim within a few intervals
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (trims.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    std::this_thread::sleep_for(50ms);  // more quiet looks: still the one trim
    trimmer.stop();
    CHECK(trims.load() == 1);
}
