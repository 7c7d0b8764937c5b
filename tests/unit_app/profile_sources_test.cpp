// The default chain's newer profile sources: credential_process (run here
// for real, through /bin/sh) and SSO (up to the point where the cached
// sign-in is found wanting; the portal itself is in the integration tests).
#include <catch2/catch.hpp>

#include <filesystem>

#include "app/aws/credential_process.hpp"
#include "app/aws/credential_providers.hpp"
#include "core/crypto/sha1.hpp"
#include "net/run_blocking.hpp"
#include "support/temp_dir.hpp"

using namespace aia;
using namespace std::chrono_literals;
using TempDir = aia::test::TempDir;

namespace {

struct Fetched {
    std::string source;  // or "error: ..."
    aws::AwsCredentials credentials;
};

// The default chain's credentials for a profile of `config`.
Fetched fetch_profile(const TempDir& home, const std::string& config, const std::string& profile) {
    std::filesystem::create_directories(home.path / ".aws");
    home.write(".aws/config", config);
    net::asio::io_context io;
    net::HttpClient http(io, nullptr);
    const app::AwsEnvironment environment({{"HOME", home.str()}, {"AWS_PROFILE", profile}});
    const app::ProviderContext context{io, http, environment, "us-west-2"};
    auto chain = app::default_credentials(context);
    if (!chain) return {"error: " + chain.error(), {}};
    auto credentials = net::run_blocking(io, chain.value()->get());
    io.stop();
    if (!credentials) return {"error: " + credentials.error(), {}};
    return {std::string(chain.value()->source()), *credentials};
}

}  // namespace

TEST_CASE("credential_process: stdout of a successful run", "[credential-process]") {
    const auto output = app::run_credential_process("printf 'out'; echo err >&2", 5s);
    REQUIRE(output.ok());
    CHECK(*output == "out");
}

TEST_CASE("credential_process: failures give the status and stderr's first line, not stdout", "[credential-process]") {
    const auto failed =
        app::run_credential_process("echo secret-output; printf 'no session\\nmore\\n' >&2; exit 3", 5s);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error() == "exit status 3: no session");
    CHECK_THAT(app::run_credential_process("kill -9 $$", 5s).error(), Catch::Contains("signal 9"));
}

TEST_CASE("credential_process: bounded in time and output", "[credential-process]") {
    const auto started = std::chrono::steady_clock::now();
    const auto slow = app::run_credential_process("sleep 30", 300ms);
    CHECK(std::chrono::steady_clock::now() - started < 5s);  // the shell and its sleep were killed
    CHECK_THAT(slow.error(), Catch::Contains("did not finish in time"));
    CHECK_THAT(app::run_credential_process("head -c 100000 /dev/zero", 5s, 1000).error(),
               Catch::Contains("more than 1000 bytes"));
}

TEST_CASE("a credential_process profile gives what the process printed", "[credential-process]") {
    const TempDir home;
    const std::string script = home.write(
        "creds.sh",
        "echo '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": \"s\", \"SessionToken\": \"t\", "
        "\"Expiration\": \"2099-01-01T00:00:00Z\"}'\n");
    const Fetched good = fetch_profile(home, "[profile p]\ncredential_process = sh " + script + "\n", "p");
    CHECK(good.source == "credential_process");
    CHECK(good.credentials.keys.access_key_id == "ASIAPROC");
    CHECK(good.credentials.expiration.has_value());

    const Fetched bad = fetch_profile(home, "[profile q]\ncredential_process = echo '{\"Version\": 2}'\n", "q");
    CHECK_THAT(bad.source, Catch::StartsWith("error: profile q: credential_process: ") && Catch::Contains("Version"));
}

TEST_CASE("an SSO profile without a usable sign-in says to run aws sso login", "[sso]") {
    const TempDir home;
    const std::string config =
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n";
    const Fetched missing = fetch_profile(home, config, "dev");
    CHECK_THAT(missing.source, Catch::Contains("no cached SSO sign-in for sso-session corp") &&
                                   Catch::Contains("run `aws sso login --profile dev`"));

    std::filesystem::create_directories(home.path / ".aws/sso/cache");
    home.write(".aws/sso/cache/" + crypto::sha1_hex("corp") + ".json",
               R"({"accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z"})");
    const Fetched expired = fetch_profile(home, config, "dev");
    CHECK_THAT(expired.source, Catch::Contains("expired at 2020-01-01T00:00:00Z") &&
                                   Catch::Contains("run `aws sso login --profile dev`"));
    CHECK(expired.source.find("old") == std::string::npos);  // the token itself is never shown
}

TEST_CASE("a role with mfa_serial cannot be assumed where nobody can be asked", "[credentials]") {
    const TempDir home;
    std::filesystem::create_directories(home.path / ".aws");
    home.write(".aws/credentials", "[base]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n");
    const Fetched fetched = fetch_profile(home,
                                          "[profile guarded]\nrole_arn = arn:aws:iam::111122223333:role/G\n"
                                          "source_profile = base\nmfa_serial = arn:aws:iam::111122223333:mfa/a\n",
                                          "guarded");
    CHECK_THAT(fetched.source, Catch::Contains("needs a code of MFA device arn:aws:iam::111122223333:mfa/a"));
}
