#include <catch2/catch.hpp>

#include "core/aws/shared_config.hpp"

using namespace aia::aws;

namespace {

constexpr std::string_view kCredentials = R"(
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = default-secret

[dev]
aws_access_key_id=AKIADEV
aws_secret_access_key=dev-secret
aws_session_token=dev-token
; a comment
)";

constexpr std::string_view kConfig = R"(
[default]
region = us-west-2

[profile admin]
role_arn = arn:aws:iam::111122223333:role/Admin
source_profile = dev
role_session_name = admin-session
region = eu-west-1
s3 =
  max_concurrent_requests = 20

[profile chained]
role_arn = arn:aws:iam::444455556666:role/Deep
source_profile = admin

[profile from-instance]
role_arn = arn:aws:iam::111122223333:role/X
credential_source = Ec2InstanceMetadata

[profile irsa]
role_arn = arn:aws:iam::111122223333:role/Irsa
web_identity_token_file = /var/run/token

[profile loop-a]
role_arn = arn:aws:iam::1:role/a
source_profile = loop-b
[profile loop-b]
role_arn = arn:aws:iam::1:role/b
source_profile = loop-a

[sso-session corp]
sso_region = us-east-1
)";

}  // namespace

TEST_CASE("profiles from both files", "[shared-config]") {
    const SharedConfig config = parse_shared_config(kCredentials, kConfig);
    CHECK(config.profiles.at("default").access_key_id == "AKIADEFAULT");
    CHECK(config.profiles.at("default").region == "us-west-2");
    CHECK(config.profiles.at("dev").session_token == "dev-token");
    CHECK(config.profiles.at("admin").role_session_name == "admin-session");
    CHECK(config.profiles.at("admin").region == "eu-west-1");
    CHECK_FALSE(config.profiles.contains("corp"));
    CHECK_FALSE(config.profiles.contains("sso-session corp"));
}

TEST_CASE("credential plans", "[shared-config]") {
    const SharedConfig config = parse_shared_config(kCredentials, kConfig);
    const auto plain = plan_credentials(config, "default");
    REQUIRE(plain.ok());
    CHECK(plain->start == CredentialPlan::Start::StaticKeys);
    CHECK(plain->base.access_key_id == "AKIADEFAULT");
    CHECK(plain->roles.empty());

    const auto chained = plan_credentials(config, "chained");
    REQUIRE(chained.ok());
    CHECK(chained->base.access_key_id == "AKIADEV");
    REQUIRE(chained->roles.size() == 2);
    CHECK(chained->roles[0].role_arn == "arn:aws:iam::111122223333:role/Admin");  // assumed first
    CHECK(chained->roles[1].role_arn == "arn:aws:iam::444455556666:role/Deep");

    CHECK(plan_credentials(config, "from-instance")->start == CredentialPlan::Start::Ec2InstanceMetadata);
    const auto irsa = plan_credentials(config, "irsa");
    REQUIRE(irsa.ok());
    CHECK(irsa->start == CredentialPlan::Start::WebIdentity);
    CHECK(irsa->base.web_identity_token_file == "/var/run/token");
    CHECK(irsa->roles.empty());

    CHECK_THAT(plan_credentials(config, "loop-a").error(), Catch::Contains("source_profile loop"));
    CHECK_THAT(plan_credentials(config, "nobody").error(), Catch::Contains("not in the shared config"));
}
