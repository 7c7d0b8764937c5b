#include <catch2/catch.hpp>

#include "core/util/percent_encoding.hpp"

using namespace aia;

TEST_CASE("strict percent-decoding", "[percent]") {
    CHECK(*percent::decode_strict("a%2Fb%3bc") == "a/b;c");
    CHECK(*percent::decode_strict("%E1%88%B4") == "\xe1\x88\xb4");
    CHECK(*percent::decode_strict("a+b") == "a+b");
    CHECK(*percent::decode_strict("%00") == std::string(1, '\0'));
    CHECK(*percent::decode_strict("") == "");

    CHECK(percent::decode_strict("%").error().position == 0);
    CHECK(percent::decode_strict("ab%4").error().position == 2);
    CHECK(percent::decode_strict("%gh").error().position == 0);
    CHECK(percent::decode_strict("x%2").error().position == 1);
}

TEST_CASE("decoding happens exactly once", "[percent]") {
    // %252F is an escaped '%' followed by "2F", not a slash.
    CHECK(*percent::decode_strict("%252F") == "%2F");
}

TEST_CASE("lenient percent-decoding keeps stray percent signs", "[percent]") {
    CHECK(percent::decode_lenient("%41%") == "A%");
    CHECK(percent::decode_lenient("%^x") == "%^x");
    CHECK(percent::decode_lenient("100%25") == "100%");
}

TEST_CASE("SigV4 URI encoding", "[percent]") {
    CHECK(percent::encode_sigv4("AZaz09-._~") == "AZaz09-._~");
    CHECK(percent::encode_sigv4("a b+c=d/e;f") == "a%20b%2Bc%3Dd%2Fe%3Bf");
    CHECK(percent::encode_sigv4("/a b/", percent::Slash::Keep) == "/a%20b/");
    CHECK(percent::encode_sigv4("\xe1\x88\xb4") == "%E1%88%B4");
    CHECK(percent::encode_sigv4("%") == "%25");
}
