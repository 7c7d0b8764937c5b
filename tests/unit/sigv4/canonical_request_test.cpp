// Canonicalization rules beyond what the AWS suite covers.

#include <catch2/catch.hpp>

#include "core/sigv4/canonical_request.hpp"

using namespace aia::sigv4;

TEST_CASE("path normalization", "[sigv4]") {
    CHECK(canonical_uri("", true) == "/");
    CHECK(canonical_uri("/", true) == "/");
    CHECK(canonical_uri("//", true) == "/");
    CHECK(canonical_uri("/a/./b/../c", true) == "/a/c");
    CHECK(canonical_uri("/a/b/..", true) == "/a/");
    CHECK(canonical_uri("/../../a", true) == "/a");
    CHECK(canonical_uri("//a//b//", true) == "/a/b/");
    CHECK(canonical_uri("/a b/%41", true) == "/a%20b/%2541");
    CHECK(canonical_uri("//a/./", false) == "//a/./");
}

TEST_CASE("query canonicalization", "[sigv4]") {
    CHECK(canonical_query("") == "");
    CHECK(canonical_query("b=2&a=1&a=0") == "a=0&a=1&b=2");
    CHECK(canonical_query("a&b=") == "a=&b=");
    CHECK(canonical_query("a=%2f&b=%2F") == "a=%2F&b=%2F");
    CHECK(canonical_query("k=a+b") == "k=a%2Bb");
    CHECK(canonical_query("k=%E1%88%B4") == canonical_query("k=\xe1\x88\xb4"));
    CHECK(canonical_query("X-Amz-Signature=abc&Action=x", {"X-Amz-Signature"}) == "Action=x");
}

TEST_CASE("header canonicalization", "[sigv4]") {
    const auto h = canonical_headers(
        {{"Host", "example.com"}, {"X-B", "  two   words  "}, {"x-a", "1"}, {"X-A", ""}, {"x-a", "3"}});
    CHECK(h.text == "host:example.com\nx-a:1,,3\nx-b:two words\n");
    CHECK(h.signed_headers == "host;x-a;x-b");
}
