#include <catch2/catch.hpp>

#include "core/url/url_parts.hpp"

using aia::url::split_url;

TEST_CASE("a presigned URL splits into its parts", "[url]") {
    const auto parts = split_url("https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15");
    REQUIRE(parts.ok());
    CHECK(parts->scheme == "https");
    CHECK(parts->authority == "sts.amazonaws.com");
    CHECK(parts->path == "/");
    CHECK(parts->query == "Action=GetCallerIdentity&Version=2011-06-15");
    CHECK_FALSE(parts->fragment.has_value());
}

TEST_CASE("absent and empty components are told apart", "[url]") {
    const auto bare = split_url("https://host");
    REQUIRE(bare.ok());
    CHECK(bare->authority == "host");
    CHECK(bare->path.empty());
    CHECK_FALSE(bare->query.has_value());

    const auto empty = split_url("https://host/?#");
    REQUIRE(empty.ok());
    CHECK(empty->path == "/");
    CHECK(empty->query == "");
    CHECK(empty->fragment == "");
}

TEST_CASE("'?' and '#' inside later components", "[url]") {
    const auto parts = split_url("https://user@host:443/a/b?x=1?y#frag?#");
    REQUIRE(parts.ok());
    CHECK(parts->authority == "user@host:443");
    CHECK(parts->path == "/a/b");
    CHECK(parts->query == "x=1?y");
    CHECK(parts->fragment == "frag?#");
}

TEST_CASE("URLs we cannot read", "[url]") {
    CHECK(split_url(":ab:cd.af:/asda").error() == "missing protocol scheme");
    CHECK(split_url("sts.amazonaws.com/").error() == "missing protocol scheme");
    CHECK(split_url("1https://host/").error() == "missing protocol scheme");
    CHECK(split_url("ht_tps://host/").error() == "invalid protocol scheme");
    CHECK(split_url("https:host/").error() == "missing authority: expected scheme://host/");
    CHECK(split_url("https://host/ a").error() == "invalid character in URL at byte 13");
    CHECK(split_url("https://host/\n").error() == "invalid character in URL at byte 13");
    CHECK(split_url("https://h\xc3\xa9st/").error() == "invalid character in URL at byte 9");
    CHECK(split_url("https://host/?a=\"").error() == "invalid character in URL at byte 16");
    CHECK(split_url("https://host/?a=<b>").error() == "invalid character in URL at byte 16");
    CHECK(split_url("https://host/?a=\\").error() == "invalid character in URL at byte 16");
    CHECK(split_url("https://host/?a={}|^`").error() == "invalid character in URL at byte 16");
}
