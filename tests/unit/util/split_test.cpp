#include <catch2/catch.hpp>

#include "core/util/split.hpp"

using aia::split;
using Parts = std::vector<std::string_view>;

TEST_CASE("split keeps empty fields", "[split]") {
    CHECK(split("a/b/c", '/') == Parts{"a", "b", "c"});
    CHECK(split("a..b", '.') == Parts{"a", "", "b"});
    CHECK(split("", ';') == Parts{""});
    CHECK(split(";", ';') == Parts{"", ""});
    CHECK(split("abc", '/') == Parts{"abc"});
}
