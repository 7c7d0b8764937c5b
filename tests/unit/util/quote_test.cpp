#include <catch2/catch.hpp>

#include "core/util/quote.hpp"

using aia::quote;

TEST_CASE("quote escapes what could forge or garble a log line", "[quote]") {
    CHECK(quote("plain text") == "\"plain text\"");
    CHECK(quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(quote("line\nforged=1\r\t") == "\"line\\nforged=1\\r\\t\"");
    CHECK(quote(std::string("\0\x7f\xc3", 3)) == "\"\\x00\\x7f\\xc3\"");
}

TEST_CASE("quote caps the length", "[quote]") {
    CHECK(quote(std::string(100, 'a'), 4) == "\"aaaa\"...");
    CHECK(quote("abcd", 4) == "\"abcd\"");
}

TEST_CASE("sanitize escapes and caps without quoting", "[quote]") {
    CHECK(aia::sanitize("{\"Code\":\"X\\\\\"}\n\x01") == "{\"Code\":\"X\\\\\"}\\n\\x01");
    CHECK(aia::sanitize("abcdef", 3) == "abc...");
    CHECK(aia::sanitize("ok") == "ok");
}
