#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app/aws/credential_providers.hpp"
#include "support/temp_dir.hpp"

using namespace aia;

namespace {

// Which source the default chain picks for an environment (no calls are
// made: choosing is enough).
std::string chosen(const std::map<std::string, std::string>& variables) {
    net::asio::io_context io;
    net::HttpClient http(io, nullptr);
    const app::AwsEnvironment environment(variables);
    const app::ProviderContext context{io, http, environment, "us-west-2"};
    auto credentials = app::default_credentials(context);
    return credentials ? std::string(credentials.value()->source()) : "error: " + credentials.error();
}

using TempDir = aia::test::TempDir;

}  // namespace

TEST_CASE("the default chain picks the first configured source, in the SDKs' order", "[credentials]") {
    const TempDir home;
    const std::map<std::string, std::string> base{{"HOME", home.path.string()}};
    auto with = [&](std::map<std::string, std::string> more) {
        more.insert(base.begin(), base.end());
        return more;
    };
    const std::map<std::string, std::string> keys{{"AWS_ACCESS_KEY_ID", "AKIA1"}, {"AWS_SECRET_ACCESS_KEY", "s"}};
    const std::map<std::string, std::string> web{{"AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/R"},
                                                 {"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}};
    const std::map<std::string, std::string> container{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/c"}};

    CHECK(chosen(base) == "instance metadata");
    CHECK(chosen(with({{"AWS_EC2_METADATA_DISABLED", "true"}})) ==
          "error: instance metadata is disabled (AWS_EC2_METADATA_DISABLED)");
    CHECK(chosen(with({{"AWS_EC2_METADATA_DISABLED", "TRUE"}})) ==
          "error: instance metadata is disabled (AWS_EC2_METADATA_DISABLED)");
    CHECK(chosen(with({{"AWS_EC2_METADATA_DISABLED", "false"}})) == "instance metadata");
    CHECK(chosen(with(container)) == "container");
    auto web_and_container = with(web);
    web_and_container.insert(container.begin(), container.end());
    CHECK(chosen(web_and_container) == "web identity");
    auto everything = web_and_container;
    everything.insert(keys.begin(), keys.end());
    CHECK(chosen(everything) == "environment");
    // Half of a source is not that source.
    CHECK(chosen(with({{"AWS_ACCESS_KEY_ID", "AKIA1"}})) == "instance metadata");
}

TEST_CASE("container endpoints over plain HTTP must be local", "[credentials]") {
    CHECK(chosen({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"}}) == "container");
    CHECK(chosen({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"}}) == "container");
    CHECK(chosen({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.example.com/c"}}) == "container");
    CHECK_THAT(chosen({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://creds.example.com/c"}}),
               Catch::StartsWith("error: container credentials over plain HTTP must go to a loopback"));
}

TEST_CASE("shared files: a named profile must work, the default one is used when it has credentials", "[credentials]") {
    const TempDir home;
    const std::string credentials = home.write("credentials",
                                               "[default]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n"
                                               "[base]\naws_access_key_id = AKIA2\naws_secret_access_key = t\n");
    const std::string config = home.write("config",
                                          "[profile chained]\nrole_arn = arn:aws:iam::111122223333:role/Reader\n"
                                          "source_profile = base\n[profile regional]\nregion = eu-west-1\n");
    const std::map<std::string, std::string> files{
        {"HOME", home.path.string()}, {"AWS_SHARED_CREDENTIALS_FILE", credentials}, {"AWS_CONFIG_FILE", config}};
    auto with = [&](std::map<std::string, std::string> more) {
        more.insert(files.begin(), files.end());
        return more;
    };
    CHECK(chosen(files) == "shared credentials file");
    CHECK(chosen(with({{"AWS_PROFILE", "chained"}})) == "assumed role arn:aws:iam::111122223333:role/Reader");
    CHECK(chosen(with({{"AWS_PROFILE", "missing"}})) ==
          "error: profile missing is not in the shared config or credentials files");
    CHECK(app::profile_region(app::AwsEnvironment(with({{"AWS_PROFILE", "regional"}}))) == "eu-west-1");
    CHECK(app::profile_region(app::AwsEnvironment(files)).empty());

    // A default profile with only settings falls through to instance metadata.
    const std::string settings_only = home.write("credentials-empty", "");
    const std::string region_only = home.write("config-region", "[default]\nregion = us-east-2\n");
    CHECK(chosen({{"HOME", home.path.string()},
                  {"AWS_SHARED_CREDENTIALS_FILE", settings_only},
                  {"AWS_CONFIG_FILE", region_only}}) == "instance metadata");
}
