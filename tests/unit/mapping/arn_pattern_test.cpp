#include <catch2/catch.hpp>

#include "core/mapping/arn_pattern.hpp"

using aia::mapping::ArnPattern;
using aia::mapping::glob_matches;

namespace {

ArnPattern pattern(std::string_view text) {
    auto parsed = ArnPattern::parse(text);
    if (!parsed) FAIL(parsed.error());
    return std::move(parsed).value();
}

}  // namespace

TEST_CASE("globs: * any run, ? exactly one character", "[arn-pattern]") {
    CHECK(glob_matches("dev-*", "dev-"));
    CHECK(glob_matches("dev-*", "dev-anything/at/all"));
    CHECK_FALSE(glob_matches("dev-*", "prod-x"));
    CHECK(glob_matches("svc-??", "svc-ab"));
    CHECK_FALSE(glob_matches("svc-??", "svc-a"));
    CHECK_FALSE(glob_matches("svc-??", "svc-abc"));
    CHECK(glob_matches("*a*b*c*", "xxaxxbxxcxx"));
    CHECK_FALSE(glob_matches("*a*b*c*", "xxaxxcxxbxx"));
    CHECK(glob_matches("*", ""));
    CHECK_FALSE(glob_matches("?", ""));
    // Linear even for hostile input.
    CHECK_FALSE(glob_matches(std::string(50, '*') + "b", std::string(10000, 'a')));
}

TEST_CASE("ARN patterns match section by section, ignoring case", "[arn-pattern]") {
    const ArnPattern dev = pattern("arn:aws:iam::111122223333:role/Dev-*");
    CHECK(dev.matches("arn:aws:iam::111122223333:role/dev-team"));
    CHECK(dev.matches("arn:aws:iam::111122223333:role/DEV-"));
    CHECK_FALSE(dev.matches("arn:aws:iam::111122223334:role/dev-team"));
    CHECK_FALSE(dev.matches("arn:aws:iam::111122223333:user/dev-team"));

    const ArnPattern any_account = pattern("arn:aws:iam::*:role/ReadOnly");
    CHECK(any_account.matches("arn:aws:iam::444455556666:role/ReadOnly"));
    CHECK_FALSE(any_account.matches("arn:aws-cn:iam::444455556666:role/ReadOnly"));
    // '*' stands for characters within one section, never for several: a
    // partition wildcard cannot swallow "a:b" (a glob over the whole text would).
    CHECK(pattern("arn:*:iam::111122223333:role/x").matches("arn:aws-cn:iam::111122223333:role/x"));
    CHECK_FALSE(pattern("arn:*:iam::111122223333:role/x").matches("arn:a:b:iam::111122223333:role/x"));
    CHECK_FALSE(ArnPattern::parse("arn:aws:*:role/x").ok());
    CHECK_FALSE(dev.matches("not an arn"));
}

TEST_CASE("specificity is the literal prefix", "[arn-pattern]") {
    CHECK(pattern("arn:aws:iam::111122223333:role/dev-*").literal_prefix_length() == 35);
    CHECK(pattern("arn:aws:iam::*:role/x").literal_prefix_length() == 13);
    CHECK(ArnPattern::is_pattern("arn:aws:iam::1:role/a?"));
    CHECK_FALSE(ArnPattern::is_pattern("arn:aws:iam::1:role/a"));
}

TEST_CASE("malformed patterns are refused", "[arn-pattern]") {
    CHECK_FALSE(ArnPattern::parse("arn:aws:iam:*").ok());
    CHECK_FALSE(ArnPattern::parse("nar:aws:iam::1:role/*").ok());
    CHECK_FALSE(ArnPattern::parse("arn::iam::1:role/*").ok());
    CHECK_FALSE(ArnPattern::parse("arn:aws:iam::1:").ok());
    CHECK_FALSE(ArnPattern::parse("arn:aws:iam::1:role/a *").ok());
}
