// New file content is acted on once per distinct content, and only after it
// has read the same for the settle time.

#include <catch2/catch.hpp>

#include <chrono>

#include "app/settled_content.hpp"

using namespace std::chrono_literals;
using aia::app::SettledContent;
using Verdict = SettledContent::Verdict;

namespace {

const SettledContent::Clock::time_point t0{};

}  // namespace

TEST_CASE("settled content: new content is acted on once it has read the same for the settle time", "[follow]") {
    SettledContent content(25ms);
    content.accept("v1");
    CHECK(content.observe("v1", t0) == Verdict::Unchanged);
    CHECK(content.observe("v2", t0) == Verdict::Settling);
    CHECK(content.settle_time_left(t0 + 10ms) == 15ms);
    // Read again too soon (two change events of one write): not yet.
    CHECK(content.observe("v2", t0 + 10ms) == Verdict::Settling);
    CHECK(content.observe("v2", t0 + 25ms) == Verdict::Settled);
    CHECK(content.observe("v2", t0 + 30ms) == Verdict::Unchanged);
    CHECK(content.settle_time_left(t0 + 30ms) == 0ms);
}

TEST_CASE("settled content: content that changes while settling starts the settle time again", "[follow]") {
    SettledContent content(1000ms);
    content.accept("old");
    CHECK(content.observe("half-written", t0) == Verdict::Settling);
    CHECK(content.observe("whole", t0 + 900ms) == Verdict::Settling);
    CHECK(content.observe("whole", t0 + 1500ms) == Verdict::Settling);
    CHECK(content.settle_time_left(t0 + 1500ms) == 400ms);
    CHECK(content.observe("whole", t0 + 1900ms) == Verdict::Settled);
}

TEST_CASE("settled content: going back to the content in use ends the settling", "[follow]") {
    SettledContent content(25ms);
    content.accept("v1");
    CHECK(content.observe("v2", t0) == Verdict::Settling);
    CHECK(content.observe("v1", t0 + 5ms) == Verdict::Unchanged);
    // v2 again is new again: its settle time starts over.
    CHECK(content.observe("v2", t0 + 40ms) == Verdict::Settling);
    CHECK(content.observe("v2", t0 + 65ms) == Verdict::Settled);
}

TEST_CASE("settled content: a reload settles the content in use and acts on it again", "[follow]") {
    SettledContent content(25ms);
    content.accept("v1");
    CHECK(content.observe("v1", t0, true) == Verdict::Settling);
    CHECK(content.observe("v1", t0 + 25ms, true) == Verdict::Settled);
}

TEST_CASE("settled content: the first content, and content forgotten, count as new", "[follow]") {
    SettledContent content(25ms);
    CHECK_FALSE(content.acted_on_any());
    CHECK(content.observe("v1", t0) == Verdict::Settling);
    CHECK(content.observe("v1", t0 + 25ms) == Verdict::Settled);
    CHECK(content.acted_on_any());
    content.forget();
    CHECK_FALSE(content.acted_on_any());
    CHECK(content.observe("v1", t0 + 30ms) == Verdict::Settling);
}
