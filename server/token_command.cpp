// `token`: what kubectl runs (users[].user.exec) to get a bearer token: a
// presigned STS GetCallerIdentity URL with the cluster ID signed in,
// printed as an ExecCredential.
//
// Credentials come from the AWS SDKs' default chain (SSO profiles,
// credential_process and MFA-protected roles included); -r assumes a role
// with them first. The token always names a regional STS endpoint, as
// upstream v0.7's does: the region is --region, AWS_REGION,
// AWS_DEFAULT_REGION, the profile's, instance metadata's, else us-east-1.

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "app/aws/credential_providers.hpp"
#include "app/client/client_region.hpp"
#include "app/client/credential_cache.hpp"
#include "app/client/token_credentials.hpp"
#include "app/wall_clock.hpp"
#include "commands.hpp"
#include "config_file.hpp"
#include "core/client/exec_credential.hpp"
#include "core/token/token_generator.hpp"

namespace aia::cli {
namespace {

struct TokenFlags {
    std::string role_arn;
    std::string external_id;
    std::string session_name;
    std::string region;
    bool forward_session_name = false;
    bool token_only = false;
    bool cache = false;
};

using app::wall_clock_now;

int usage_error(const std::string& message) {
    std::fprintf(stderr, "aws-iam-authenticator token: %s\n", message.c_str());
    return 2;
}

int token_error(const std::string& message) {
    std::fprintf(stderr, "could not get token: %s\n", message.c_str());
    return 1;
}

// The chain's credentials come from the cache when it has good ones, and
// are cached when asked and temporary (upstream's rule: the cache holds what
// the chain gave, so -r still assumes the role each time). Cache problems
// are warnings: a token is still made, as upstream does.
Result<app::TokenCredentials, std::string> credentials_for(const TokenFlags& flags, const std::string& cluster_id,
                                                           const std::string& region,
                                                           const app::AwsEnvironment& environment) {
    app::TokenCredentialsOptions options{.role_arn = flags.role_arn,
                                         .external_id = flags.external_id,
                                         .session_name = flags.session_name,
                                         .forward_session_name = flags.forward_session_name};
    std::optional<app::CredentialCache> cache;
    const client::CacheKey key{cluster_id, environment.has("AWS_PROFILE") ? environment.get("AWS_PROFILE") : "default",
                               flags.role_arn};
    if (flags.cache) {
        auto opened = app::CredentialCache::open(app::CredentialCache::default_path(environment));
        if (!opened) {
            std::fprintf(stderr, "unable to use cache: %s\n", opened.error().c_str());
        } else {
            cache = std::move(opened).value();
            options.cached_base = cache->find(key, wall_clock_now());
        }
    }
    const bool from_cache = options.cached_base.has_value();

    auto fetched = app::fetch_token_credentials(environment, region, std::move(options));
    if (fetched && cache && !from_cache && fetched->base.expiration) {
        if (auto stored = cache->store(key, fetched->base); !stored) {
            std::fprintf(stderr, "unable to cache credentials: %s\n", stored.error().c_str());
        }
    }
    return fetched;
}

int run_token(const GlobalFlags& globals, const TokenFlags& flags) {
    const std::string cluster_id = client_cluster_id(globals);
    if (cluster_id.empty())
        return usage_error("cluster ID not specified (-i CLUSTER or KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID)");
    if (flags.forward_session_name && !flags.session_name.empty()) {
        return usage_error("cannot specify both --forward-session-name and --session-name");
    }
    // Without -r, --external-id, --session-name and --forward-session-name
    // have no role to apply to and are ignored, as upstream ignores them.
    auto api_version = client::exec_api_version(flags.token_only ? "" : [] {
        const char* info = std::getenv("KUBERNETES_EXEC_INFO");
        return info ? std::string(info) : std::string{};
    }());
    if (!api_version) return token_error(api_version.error());

    const app::AwsEnvironment environment = app::AwsEnvironment::from_process();
    const std::string region = app::client_region(environment, flags.region);

    const auto credentials = [&]() -> Result<app::TokenCredentials, std::string> {
        try {
            return credentials_for(flags, cluster_id, region, environment);
        } catch (const std::exception& e) {
            return fail(std::string(e.what()));
        }
    }();
    if (!credentials) return token_error(credentials.error());
    const aws::AwsCredentials& signing = credentials->signing;

    const amz_time::Seconds now = wall_clock_now();
    const token::GeneratedToken generated = token::generate_token({.credentials = signing.keys,
                                                                   .cluster_id = cluster_id,
                                                                   .endpoint = token::default_sts_endpoint(region),
                                                                   .now = now});
    if (flags.token_only) {
        std::printf("%s\n", generated.token.c_str());
        return 0;
    }
    // kubectl reuses the token until this time: never past the credentials' own expiry.
    amz_time::Seconds expiration = generated.expiration;
    if (signing.expiration && *signing.expiration < expiration) expiration = *signing.expiration;
    std::printf("%s\n", client::render_exec_credential(*api_version, generated.token, expiration).c_str());
    return 0;
}

}  // namespace

void add_token_command(CLI::App& app, const GlobalFlags& globals, int& exit_status) {
    auto flags = std::make_shared<TokenFlags>();
    CLI::App* command = app.add_subcommand(
        "token", "Authenticate using AWS IAM and get a token for Kubernetes (kubectl's exec credential plugin)");
    command->add_option("-r,--role", flags->role_arn, "Assume this IAM role ARN first (env DEFAULT_ROLE)")
        ->envname("DEFAULT_ROLE");
    command->add_option("-e,--external-id", flags->external_id,
                        "External ID to pass when assuming the role (ignored without -r)");
    command->add_option("-s,--session-name", flags->session_name,
                        "Session name for the assumed role (default: aws-go-sdk-<unix nanoseconds>, as upstream; "
                        "ignored without -r)");
    command->add_flag("--forward-session-name", flags->forward_session_name,
                      "Name the assumed role's session after the caller's own session (STS GetCallerIdentity; "
                      "ignored without -r)");
    command->add_option("--region", flags->region,
                        "Region of the STS endpoint to sign for, and of AssumeRole calls (default: AWS_REGION, "
                        "AWS_DEFAULT_REGION, the profile's region, instance metadata's, else us-east-1)");
    command->add_flag("--token-only", flags->token_only, "Print only the token, not an ExecCredential");
    command->add_flag("--cache", flags->cache,
                      "Keep temporary credentials in ~/.kube/cache/aws-iam-authenticator/credentials.yaml "
                      "(env AWS_IAM_AUTHENTICATOR_CACHE_FILE) and reuse them while they last");
    command->callback([&globals, &exit_status, flags] { exit_status = run_token(globals, *flags); });
}

}  // namespace aia::cli
