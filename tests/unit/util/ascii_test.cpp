#include <catch2/catch.hpp>

#include "core/util/ascii.hpp"

#include <algorithm>
#include <string>
#include <vector>

using aia::ascii::icompare;
using aia::ascii::iequals;
using aia::ascii::to_lower;

TEST_CASE("icompare orders as comparing lower-case copies would", "[ascii]") {
    CHECK(icompare("X-Amz-Date", "x-amz-date") == 0);
    CHECK(icompare("", "") == 0);
    CHECK(icompare("a", "B") < 0);
    CHECK(icompare("B", "a") > 0);
    CHECK(icompare("abc", "ABCD") < 0);
    CHECK(icompare("ABCD", "abc") > 0);
    // Bytes above 0x7f sort after ASCII, as std::string compares them.
    CHECK(icompare("\xc3", "z") > 0);
    // Only A-Z fold: '[' (0x5b) comes after 'Z' (0x5a) as it is, but
    // before it folded to 'z' (0x7a).
    CHECK(icompare("[", "Z") < 0);
    CHECK(icompare("[", "z") < 0);

    const std::vector<std::string> words{"Version", "action", "X-Amz-Date", "x-amz-credential", "\xc3\xa9", "",
                                         "ACTION",  "Zeta",   "[x",         "x-AMZ-date2"};
    for (const std::string& a : words) {
        for (const std::string& b : words) {
            const int expected = to_lower(a).compare(to_lower(b));
            const int got = icompare(a, b);
            INFO(a << " vs " << b);
            CHECK((got < 0) == (expected < 0));
            CHECK((got == 0) == (expected == 0));
            CHECK((got == 0) == iequals(a, b));
        }
    }
}
