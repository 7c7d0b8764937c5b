#include <catch2/catch.hpp>

#include "core/mapping/arn_pattern.hpp"

using aia::mapping::ArnPattern;
using aia::mapping::glob_matches;
using aia::mapping::PatternKind;

namespace {

ArnPattern pattern(std::string_view text, PatternKind kind = PatternKind::Role) {
    auto parsed = ArnPattern::parse(text, kind);
    if (!parsed) FAIL(parsed.error());
    return std::move(parsed).value();
}

std::string refusal(std::string_view text, PatternKind kind = PatternKind::Role) {
    auto parsed = ArnPattern::parse(text, kind);
    if (parsed) FAIL(text << " accepted");
    return parsed.error();
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

TEST_CASE("ARN patterns match the role or user name, ignoring case", "[arn-pattern]") {
    const ArnPattern dev = pattern("arn:aws:iam::111122223333:role/Dev-*");
    CHECK(dev.matches("arn:aws:iam::111122223333:role/dev-team"));
    CHECK(dev.matches("arn:aws:iam::111122223333:role/DEV-"));
    CHECK_FALSE(dev.matches("arn:aws:iam::111122223334:role/dev-team"));
    CHECK_FALSE(dev.matches("arn:aws:iam::111122223333:user/dev-team"));
    CHECK_FALSE(dev.matches("arn:aws-cn:iam::111122223333:role/dev-team"));
    CHECK_FALSE(dev.matches("not an arn"));

    const ArnPattern svc = pattern("arn:aws:iam::111122223333:user/svc-??", PatternKind::User);
    CHECK(svc.matches("arn:aws:iam::111122223333:user/svc-ab"));
    CHECK_FALSE(svc.matches("arn:aws:iam::111122223333:user/svc-a"));
    // In the path too: users keep their IAM path in their ARN.
    const ArnPattern in_path = pattern("arn:aws:iam::111122223333:user/ci/*", PatternKind::User);
    CHECK(in_path.matches("arn:aws:iam::111122223333:user/ci/runner-7"));
    CHECK_FALSE(in_path.matches("arn:aws:iam::111122223333:user/ops/runner-7"));
    CHECK(pattern("arn:AWS:IAM::111122223333:ROLE/x*").matches("arn:aws:iam::111122223333:role/X1"));
}

TEST_CASE("partition, service and account are literal, the kind matches the list", "[arn-pattern]") {
    const std::string outside = "has a wildcard outside the role or user name";
    for (const char* cross : {"arn:aws:iam::*:role/ReadOnly", "arn:*:iam::111122223333:role/x",
                              "arn:aws:*::111122223333:role/x", "arn:aws:iam::11112222333?:role/x",
                              "arn:aws*:iam::111122223333:role/x", "arn:aws:iam:*:111122223333:role/x"}) {
        INFO(cross);
        CHECK_THAT(refusal(cross), Catch::Contains(outside));
    }
    CHECK_THAT(refusal("arn:aws:iam::111122223333:*"),
               Catch::EndsWith("in mapRoles must name roles: arn:<partition>:iam::<account>:role/<name>"));
    CHECK_THAT(refusal("arn:aws:iam::111122223333:r*"), Catch::Contains("in mapRoles must name roles"));
    CHECK_THAT(refusal("arn:aws:iam::111122223333:rol?/x"), Catch::Contains("in mapRoles must name roles"));
    CHECK_THAT(refusal("arn:aws:iam::111122223333:role/"), Catch::Contains("in mapRoles must name roles"));
    CHECK_THAT(refusal("arn:aws:iam::111122223333:user/*"), Catch::Contains("in mapRoles must name roles"));
    CHECK_THAT(refusal("arn:aws:iam::111122223333:role/*", PatternKind::User),
               Catch::EndsWith("in mapUsers must name users: arn:<partition>:iam::<account>:user/<name>"));
    CHECK_THAT(refusal("arn:aws:sts::111122223333:assumed-role/x/*"), Catch::Contains("is not an IAM ARN"));
    CHECK_THAT(refusal("arn:aws:iam:us-east-1:111122223333:role/x*"), Catch::Contains("is not an IAM ARN"));
    CHECK_THAT(refusal("arn:aws:iam::1:role/x*"), Catch::Contains("does not name a 12-digit account ID"));
    CHECK_THAT(refusal("arn:aws-moon:iam::111122223333:role/x*"), Catch::Contains("names no partition"));
    CHECK(ArnPattern::parse("arn:aws-cn:iam::111122223333:role/x*", PatternKind::Role).ok());
}

TEST_CASE("specificity is the literal prefix", "[arn-pattern]") {
    CHECK(pattern("arn:aws:iam::111122223333:role/dev-*").literal_prefix_length() == 35);
    CHECK(pattern("arn:aws:iam::111122223333:role/*").literal_prefix_length() == 31);
    CHECK(ArnPattern::is_pattern("arn:aws:iam::1:role/a?"));
    CHECK_FALSE(ArnPattern::is_pattern("arn:aws:iam::1:role/a"));
}

TEST_CASE("malformed patterns are refused", "[arn-pattern]") {
    CHECK_THAT(refusal("arn:aws:iam:*"),
               Catch::Contains("is not arn:<partition>:iam::<account>:<role or user>/<name>"));
    CHECK_FALSE(ArnPattern::parse("nar:aws:iam::111122223333:role/*", PatternKind::Role).ok());
    CHECK_FALSE(ArnPattern::parse("arn::iam::111122223333:role/*", PatternKind::Role).ok());
    CHECK_FALSE(ArnPattern::parse("arn:aws:iam::111122223333:", PatternKind::Role).ok());
    CHECK_THAT(refusal("arn:aws:iam::111122223333:role/a *"), Catch::Contains("contains a space or control character"));
}
