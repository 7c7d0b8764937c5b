// `verify`: checks a token exactly as the server does (the offline checks,
// then STS) and prints the identity it belongs to. Exit status 0 when the
// token is good, 1 when it is not.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "app/token_verifier.hpp"
#include "commands.hpp"
#include "config_file.hpp"
#include "core/config/server_config.hpp"

namespace aia::cli {
namespace {

struct VerifyFlags {
    std::string token;
    std::string partition = "aws";
    std::string region;
    std::vector<std::string> sts_regions;
    std::string output;
    std::string sts_endpoint_override;
    std::string sts_ca_cert;
    std::string sts_timeout = "10s";
};

int usage_error(const std::string& message) {
    std::fprintf(stderr, "aws-iam-authenticator verify: %s\n", message.c_str());
    return 2;
}

// Upstream prints Go's %+v of its Identity; scripts may parse either form.
std::string identity_text(const identity::Identity& id) {
    return "&{ARN:" + id.arn + " CanonicalARN:" + id.canonical_arn + " AccountID:" + id.account_id +
           " UserID:" + id.user_id + " SessionName:" + id.session_name + " AccessKeyID:" + id.access_key_id +
           " STSEndpoint:" + id.sts_host + "}";
}

std::string identity_json(const identity::Identity& id) {
    nlohmann::ordered_json out;
    out["ARN"] = id.arn;
    out["CanonicalARN"] = id.canonical_arn;
    out["AccountID"] = id.account_id;
    out["UserID"] = id.user_id;
    out["SessionName"] = id.session_name;
    out["AccessKeyID"] = id.access_key_id;
    out["STSEndpoint"] = id.sts_host;
    return out.dump(4);
}

int run_verify(const GlobalFlags& globals, const VerifyFlags& flags) {
    const std::string cluster_id = client_cluster_id(globals);
    if (cluster_id.empty())
        return usage_error("cluster ID not specified (-i CLUSTER or KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID)");
    if (flags.token.empty()) return usage_error("token not specified (-t TOKEN)");
    if (!flags.output.empty() && flags.output != "json") return usage_error("--output: only json is supported");

    auto validator = token::TokenValidator::create({.cluster_id = cluster_id,
                                                    .partition = flags.partition,
                                                    .region = flags.region,
                                                    .sts_regions = flags.sts_regions});
    if (!validator) return usage_error(validator.error());
    app::StsCallSettings sts;
    auto timeout = config::parse_duration(flags.sts_timeout);
    if (!timeout) return usage_error("--sts-timeout: " + timeout.error());
    sts.timeout = *timeout;
    if (!flags.sts_endpoint_override.empty()) {
        auto endpoint = config::parse_endpoint_url(flags.sts_endpoint_override);
        if (!endpoint) return usage_error("--sts-endpoint-override: " + endpoint.error());
        sts.override_host = endpoint->host;
        sts.override_port = endpoint->port;
    }
    sts.ca_file = flags.sts_ca_cert;
    auto verified = app::verify_token_blocking(flags.token, *validator, sts);
    if (!verified) return usage_error("--sts-ca-cert: " + verified.error());
    const app::Verification& verification = *verified;
    if (!verification.verified()) {
        std::fprintf(stderr, "could not verify token: %s\n", verification.reason.c_str());
        return 1;
    }
    const std::string shown =
        flags.output == "json" ? identity_json(*verification.identity) : identity_text(*verification.identity);
    std::printf("%s\n", shown.c_str());
    return 0;
}

}  // namespace

void add_verify_command(CLI::App& app, const GlobalFlags& globals, int& exit_status) {
    auto flags = std::make_shared<VerifyFlags>();
    CLI::App* command = app.add_subcommand(
        "verify", "Verify a token as the server would (offline checks, then STS) and print its identity");
    command->add_option("-t,--token", flags->token, "The token to verify");
    command->add_option("--partition", flags->partition, "AWS partition whose STS hosts are accepted (default aws)");
    command->add_option("--region", flags->region,
                        "The server's region: accepted as an STS region even if its name is new");
    command
        ->add_option("--sts-regions", flags->sts_regions,
                     "Comma-separated AWS regions newer than this build whose STS endpoints tokens may name")
        ->delimiter(',');
    command->add_option("-o,--output", flags->output, "Output format: json (default: upstream's text form)");
    command->add_option("--sts-endpoint-override", flags->sts_endpoint_override,
                        "Send the STS request to https://host[:port] instead of the token's host");
    command->add_option("--sts-ca-cert", flags->sts_ca_cert,
                        "CA bundle to verify STS with (default: the system store)");
    command->add_option("--sts-timeout", flags->sts_timeout, "Deadline for the STS exchange (default 10s)");
    command->callback([&globals, &exit_status, flags] { exit_status = run_verify(globals, *flags); });
}

}  // namespace aia::cli
