#include <catch2/catch.hpp>

#include "core/arn/arn.hpp"

using namespace aia;
using arn::PrincipalType;

namespace {

arn::Canonical canonical(std::string_view text) {
    auto result = arn::canonicalize(text);
    if (!result) FAIL(result.error());
    return std::move(result).value();
}

std::string refusal(std::string_view text) {
    const auto result = arn::canonicalize(text);
    if (result) FAIL("accepted " << text);
    return result.error();
}

}  // namespace

TEST_CASE("ARNs split into their six sections", "[arn]") {
    const auto parsed = arn::parse("arn:aws:iam::111122223333:role/path/with:colon");
    REQUIRE(parsed.ok());
    CHECK(parsed->partition == "aws");
    CHECK(parsed->service == "iam");
    CHECK(parsed->region.empty());
    CHECK(parsed->account == "111122223333");
    CHECK(parsed->resource == "role/path/with:colon");

    CHECK(arn::parse("arx:aws:iam::1:root").error() == "arn \"arx:aws:iam::1:root\" is invalid: invalid prefix");
    CHECK(arn::parse("arn:aws:iam::111122223333").error() ==
          "arn \"arn:aws:iam::111122223333\" is invalid: not enough sections");
    CHECK_FALSE(arn::parse("arn::iam::111122223333:root").ok());
    CHECK_FALSE(arn::parse("arn:aws:::111122223333:root").ok());
    CHECK_FALSE(arn::parse("arn:aws:iam::111122223333:").ok());
    CHECK_FALSE(arn::parse("arn:aws:iam::111122223333:user/a b").ok());
}

TEST_CASE("assumed-role sessions become their role", "[arn]") {
    const auto c = canonical("arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com");
    CHECK(c.type == PrincipalType::AssumedRole);
    CHECK(c.arn == "arn:aws:iam::111122223333:role/Admin");
    CHECK(c.account == "111122223333");
    CHECK(canonical("arn:aws-cn:sts::111122223333:assumed-role/Node/i-0123456789abcdef0").arn ==
          "arn:aws-cn:iam::111122223333:role/Node");
    CHECK(canonical("arn:aws-us-gov:sts::111122223333:assumed-role/R/s").arn ==
          "arn:aws-us-gov:iam::111122223333:role/R");
    CHECK(canonical("arn:aws-iso-b:sts::111122223333:assumed-role/R/s").arn ==
          "arn:aws-iso-b:iam::111122223333:role/R");
    // Upstream keeps everything between "assumed-role" and the session.
    CHECK(canonical("arn:aws:sts::111122223333:assumed-role/Org/Team/Admin/s").arn ==
          "arn:aws:iam::111122223333:role/Org/Team/Admin");
    CHECK(refusal("arn:aws:sts::111122223333:assumed-role/Admin") ==
          "assumed-role arn \"arn:aws:sts::111122223333:assumed-role/Admin\" does not have a role");
    CHECK_FALSE(arn::canonicalize("arn:aws:sts::111122223333:assumed-role/Admin/").ok());
    CHECK_FALSE(arn::canonicalize("arn:aws:sts::111122223333:assumed-role//s").ok());
}

TEST_CASE("users, roles, root and federated users stay as they are", "[arn]") {
    CHECK(canonical("arn:aws:iam::111122223333:user/Bob").type == PrincipalType::User);
    CHECK(canonical("arn:aws:iam::111122223333:user/division/team/Bob").arn ==
          "arn:aws:iam::111122223333:user/division/team/Bob");
    CHECK(canonical("arn:aws:iam::111122223333:role/S3Access").type == PrincipalType::Role);
    // IAM paths may hold any printable ASCII; names may not.
    CHECK(canonical("arn:aws:iam::111122223333:user/a!b/c~d:e/Bob").type == PrincipalType::User);
    CHECK_FALSE(arn::canonicalize("arn:aws:iam::111122223333:user/path/B!ob").ok());
    CHECK(canonical("arn:aws:iam::111122223333:root").type == PrincipalType::Root);
    const auto federated = canonical("arn:aws:sts::111122223333:federated-user/Bob");
    CHECK(federated.type == PrincipalType::FederatedUser);
    CHECK(federated.arn == "arn:aws:sts::111122223333:federated-user/Bob");
}

TEST_CASE("ARNs that cannot name an identity", "[arn]") {
    CHECK(refusal("arn:aws-moon:iam::111122223333:root") ==
          "arn \"arn:aws-moon:iam::111122223333:root\" does not have a recognized partition");
    CHECK(refusal("arn:aws:s3:::bucket/key") ==
          "service \"s3\" in arn \"arn:aws:s3:::bucket/key\" is not a valid service for identities");
    CHECK(refusal("arn:aws:sts::111122223333:role/x") == "unrecognized resource \"role/x\" for service sts");
    CHECK(refusal("arn:aws:iam::111122223333:group/devs") == "unrecognized resource \"group/devs\" for service iam");
    CHECK(refusal("arn:aws:iam::111122223333:root/x") == "unrecognized resource \"root/x\" for service iam");
    CHECK_THAT(refusal("arn:aws:iam::11112222333:root"), Catch::EndsWith("account must be 12 digits"));
    CHECK_THAT(refusal("arn:aws:iam::11112222333x:root"), Catch::EndsWith("account must be 12 digits"));
    CHECK_THAT(refusal("arn:aws:iam:us-east-1:111122223333:root"), Catch::EndsWith("identity ARNs have no region"));
    CHECK_FALSE(arn::canonicalize("arn:aws:iam::111122223333:user/").ok());
    CHECK_FALSE(arn::canonicalize("arn:aws:iam::111122223333:user").ok());
    CHECK_FALSE(arn::canonicalize("arn:aws:iam::111122223333:role/a//b").ok());
    CHECK_FALSE(arn::canonicalize("arn:aws:iam::111122223333:role/a*").ok());
    CHECK_FALSE(arn::canonicalize("arn:aws:sts::111122223333:federated-user/a/b").ok());
    CHECK_FALSE(arn::canonicalize("arn:AWS:iam::111122223333:root").ok());
}

TEST_CASE("role paths can be stripped to match session ARNs", "[arn]") {
    CHECK(*arn::strip_role_path("arn:aws:iam::111122223333:role/team/ops/Admin") ==
          "arn:aws:iam::111122223333:role/Admin");
    CHECK(*arn::strip_role_path("arn:aws:iam::111122223333:role/Admin") == "arn:aws:iam::111122223333:role/Admin");
    CHECK(*arn::strip_role_path("arn:aws:iam::111122223333:user/team/Bob") ==
          "arn:aws:iam::111122223333:user/team/Bob");
    // The stripped form equals the canonical ARN of a session of that role.
    CHECK(*arn::strip_role_path("arn:aws-cn:iam::111122223333:role/p/Node") ==
          canonical("arn:aws-cn:sts::111122223333:assumed-role/Node/i-1").arn);
    CHECK_FALSE(arn::strip_role_path("arn:aws:iam::111122223333:role/").ok());
}

TEST_CASE("a canonicalized ARN loses its role path without a second parse", "[arn]") {
    CHECK(arn::without_role_path(canonical("arn:aws:iam::111122223333:role/team/ops/Admin")) ==
          "arn:aws:iam::111122223333:role/Admin");
    // A session's canonical ARN is its role's: a session of a role named
    // with slashes keeps only the last name, as a role ARN with that path.
    CHECK(arn::without_role_path(canonical("arn:aws:sts::111122223333:assumed-role/team/Admin/alice")) ==
          "arn:aws:iam::111122223333:role/Admin");
    CHECK(arn::without_role_path(canonical("arn:aws:iam::111122223333:user/team/Bob")) ==
          "arn:aws:iam::111122223333:user/team/Bob");
    CHECK(arn::without_role_path(canonical("arn:aws:sts::111122223333:federated-user/Bob")) ==
          "arn:aws:sts::111122223333:federated-user/Bob");
}
