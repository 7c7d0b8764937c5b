#include <catch2/catch.hpp>

#include "core/aws/shared_config.hpp"

using namespace aia::aws;

namespace {

constexpr std::string_view kCredentials = R"(
[keys]
aws_access_key_id = AKIAKEYS
aws_secret_access_key = keys-secret
)";

constexpr std::string_view kConfig = R"(
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ClusterAdmin
region = eu-central-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444455556666
sso_role_name = ReadOnly

[profile no-session]
sso_session = nowhere
sso_account_id = 1
sso_role_name = R

[profile conflicting]
sso_session = corp
sso_region = us-west-2
sso_account_id = 1
sso_role_name = R

[profile incomplete]
sso_start_url = https://x.awsapps.com/start

[profile process]
credential_process = /usr/bin/fetch-creds --profile x

[profile keys]
sso_session = corp
sso_account_id = 1
sso_role_name = R
credential_process = never-run

[profile sso-and-process]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ClusterAdmin
credential_process = never-run

[profile mfa-role]
role_arn = arn:aws:iam::111122223333:role/Guarded
source_profile = sso
mfa_serial = arn:aws:iam::111122223333:mfa/alice
duration_seconds = 1800

[profile role-on-process]
role_arn = arn:aws:iam::111122223333:role/FromProcess
credential_process = fetch

[profile bare]
region = us-west-2
)";

SharedConfig config() { return parse_shared_config(kCredentials, kConfig); }

}  // namespace

TEST_CASE("SSO profiles: the sso_session form takes the session's portal", "[shared-config][sso]") {
    const auto plan = plan_credentials(config(), "sso");
    REQUIRE(plan.ok());
    CHECK(plan->start == CredentialPlan::Start::Sso);
    CHECK(plan->base_name == "sso");
    CHECK(plan->sso.session_name == "corp");
    CHECK(plan->sso.start_url == "https://corp.awsapps.com/start");
    CHECK(plan->sso.region == "eu-west-1");
    CHECK(plan->sso.account_id == "111122223333");
    CHECK(plan->sso.role_name == "ClusterAdmin");
    CHECK(plan->roles.empty());
    CHECK(config().profiles.at("sso").region == "eu-central-1");
}

TEST_CASE("SSO profiles: the legacy form names its portal itself", "[shared-config][sso]") {
    const auto plan = plan_credentials(config(), "legacy");
    REQUIRE(plan.ok());
    CHECK(plan->start == CredentialPlan::Start::Sso);
    CHECK(plan->sso.session_name.empty());
    CHECK(plan->sso.start_url == "https://legacy.awsapps.com/start");
    CHECK(plan->sso.region == "us-east-1");
}

TEST_CASE("SSO profiles: missing or contradictory settings are errors naming the profile", "[shared-config][sso]") {
    CHECK_THAT(plan_credentials(config(), "no-session").error(),
               Catch::Contains("profile no-session") && Catch::Contains("[sso-session nowhere]"));
    CHECK_THAT(plan_credentials(config(), "conflicting").error(), Catch::Contains("sso_region differs"));
    CHECK_THAT(plan_credentials(config(), "incomplete").error(),
               Catch::Contains("missing sso_region, sso_account_id, sso_role_name"));
}

TEST_CASE("sso-session sections are not profiles", "[shared-config][sso]") {
    const SharedConfig parsed = config();
    CHECK_FALSE(parsed.profiles.contains("corp"));
    REQUIRE(parsed.sso_sessions.contains("corp"));
    CHECK(parsed.sso_sessions.at("corp").region == "eu-west-1");
}

TEST_CASE("a profile's sources in the Go SDK v2's order", "[shared-config][sso]") {
    // Static keys beat SSO settings and credential_process.
    const auto keys = plan_credentials(config(), "keys");
    REQUIRE(keys.ok());
    CHECK(keys->start == CredentialPlan::Start::StaticKeys);
    CHECK(keys->base.access_key_id == "AKIAKEYS");
    // SSO beats credential_process.
    CHECK(plan_credentials(config(), "sso-and-process")->start == CredentialPlan::Start::Sso);
    const auto process = plan_credentials(config(), "process");
    REQUIRE(process.ok());
    CHECK(process->start == CredentialPlan::Start::Process);
    CHECK(process->base.credential_process == "/usr/bin/fetch-creds --profile x");
    CHECK_THAT(plan_credentials(config(), "bare").error(), Catch::Contains("profile bare has no credentials"));
}

TEST_CASE("a role over an SSO source profile carries its MFA device", "[shared-config][sso]") {
    const auto plan = plan_credentials(config(), "mfa-role");
    REQUIRE(plan.ok());
    CHECK(plan->start == CredentialPlan::Start::Sso);
    CHECK(plan->base_name == "sso");
    REQUIRE(plan->roles.size() == 1);
    CHECK(plan->roles[0].role_arn == "arn:aws:iam::111122223333:role/Guarded");
    CHECK(plan->roles[0].mfa_serial == "arn:aws:iam::111122223333:mfa/alice");
    CHECK(plan->roles[0].duration_seconds == "1800");
}

TEST_CASE("a role without source_profile may start from its own credential_process", "[shared-config][sso]") {
    const auto plan = plan_credentials(config(), "role-on-process");
    REQUIRE(plan.ok());
    CHECK(plan->start == CredentialPlan::Start::Process);
    REQUIRE(plan->roles.size() == 1);
    CHECK(plan->roles[0].role_arn == "arn:aws:iam::111122223333:role/FromProcess");
}
