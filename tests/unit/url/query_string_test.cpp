#include <catch2/catch.hpp>

#include "core/url/query_string.hpp"

using aia::url::parse_query_strict;

TEST_CASE("query pairs are decoded once, in order", "[query]") {
    const auto params = parse_query_strict("B=2&a=%2F%3B&empty=&bare&&c=x%3Dy");
    REQUIRE(params.ok());
    REQUIRE(params->size() == 5);
    CHECK((*params)[0].key == "B");
    CHECK((*params)[0].value == "2");
    CHECK((*params)[1].key == "a");
    CHECK((*params)[1].value == "/;");
    CHECK((*params)[2].key == "empty");
    CHECK((*params)[2].value == "");
    CHECK((*params)[3].key == "bare");
    CHECK((*params)[3].value == "");
    CHECK((*params)[4].key == "c");
    CHECK((*params)[4].value == "x=y");
}

TEST_CASE("names are decoded too", "[query]") {
    const auto params = parse_query_strict("X-Amz-%43redential=a");
    REQUIRE(params.ok());
    CHECK((*params)[0].key == "X-Amz-Credential");
}

TEST_CASE("an empty query has no pairs", "[query]") {
    CHECK(parse_query_strict("")->empty());
    CHECK(parse_query_strict("&&")->empty());
}

TEST_CASE("malformed queries are refused", "[query]") {
    CHECK(parse_query_strict("a=1;b=2").error() == "invalid semicolon separator in query");
    CHECK(parse_query_strict("a=1+2").error() == "ambiguous '+' in query");
    CHECK(parse_query_strict("x-amz-expires=60%gh").error() == "invalid percent-escape in parameter value");
    CHECK(parse_query_strict("a%zz=1").error() == "invalid percent-escape in parameter name");
    CHECK(parse_query_strict("a=%").error() == "invalid percent-escape in parameter value");
}
