// STS slots shared out by host: no host takes them all, and the home hosts
// (the global endpoint, the server's own region) always keep room.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "app/sts_slots.hpp"

using aia::app::StsSlots;
using Refusal = StsSlots::Refusal;

namespace {

std::vector<StsSlots::Slot> take(StsSlots& slots, const std::string& host, bool home, unsigned count, Refusal& last) {
    std::vector<StsSlots::Slot> held;
    for (unsigned i = 0; i < count; ++i) {
        StsSlots::Slot slot = slots.try_acquire(host, home, last);
        if (!slot) break;
        held.push_back(std::move(slot));
    }
    return held;
}

}  // namespace

TEST_CASE("sts slots: the shares of 2048", "[sts-slots]") {
    StsSlots slots(2048);
    CHECK(slots.total() == 2048);
    CHECK(slots.per_host() == 512);
    CHECK(slots.shared() == 1536);
}

TEST_CASE("sts slots: one host other than home gets a quarter", "[sts-slots]") {
    StsSlots slots(16);
    Refusal why = Refusal::None;
    auto slow = take(slots, "sts.eu-west-1.amazonaws.com", false, 100, why);
    CHECK(slow.size() == 4);
    CHECK(why == Refusal::Host);
    // Another host is not affected...
    auto other = take(slots, "sts.eu-west-2.amazonaws.com", false, 1, why);
    CHECK(other.size() == 1);
    CHECK(why == Refusal::None);
    // ...and a slot given back is free again for the first one.
    slow.pop_back();
    CHECK(take(slots, "sts.eu-west-1.amazonaws.com", false, 1, why).size() == 1);
    CHECK(slots.in_flight() == 4);  // the temporary one above was given back
}

TEST_CASE("sts slots: many hosts together leave a quarter for home", "[sts-slots]") {
    StsSlots slots(16);
    Refusal why = Refusal::None;
    std::vector<StsSlots::Slot> flood;
    for (int i = 0; i < 100; ++i) {
        auto got = take(slots, "sts.us-zz" + std::to_string(i) + "-4.amazonaws.com", false, 1, why);
        for (auto& slot : got) flood.push_back(std::move(slot));
    }
    CHECK(flood.size() == 12);
    CHECK(why == Refusal::Shared);
    // Home hosts take the rest, and are not capped per host.
    auto home = take(slots, "sts.us-west-2.amazonaws.com", true, 100, why);
    CHECK(home.size() == 4);
    CHECK(why == Refusal::Total);
    flood.clear();
    CHECK(slots.in_flight() == 4);
    auto more_home = take(slots, "sts.amazonaws.com", true, 100, why);
    CHECK(more_home.size() == 12);
    CHECK(why == Refusal::Total);
}

TEST_CASE("sts slots: small totals still allow one call", "[sts-slots]") {
    for (unsigned total : {1u, 2u, 3u}) {
        INFO(total);
        StsSlots slots(total);
        Refusal why = Refusal::None;
        CHECK(take(slots, "sts.eu-west-1.amazonaws.com", false, 10, why).size() == 1);
        CHECK(take(slots, "sts.amazonaws.com", true, 10, why).size() == total);
    }
}

TEST_CASE("sts slots: moved slots are given back once", "[sts-slots]") {
    StsSlots slots(4);
    Refusal why = Refusal::None;
    {
        StsSlots::Slot a = slots.try_acquire("sts.eu-west-1.amazonaws.com", false, why);
        StsSlots::Slot b = std::move(a);
        StsSlots::Slot c;
        c = std::move(b);
        CHECK(slots.in_flight() == 1);
        CHECK_FALSE(a);
        CHECK(c);
    }
    CHECK(slots.in_flight() == 0);
    CHECK(take(slots, "sts.eu-west-1.amazonaws.com", false, 10, why).size() == 1);
}
