#include "server_flags.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include "config_file.hpp"

namespace aia::cli {

int startup_error(const std::string& message) {
    std::fprintf(stderr, "aws-iam-authenticator: %s\n", message.c_str());
    return 1;
}

Result<config::ParsedConfig, std::string> load_server_config(const GlobalFlags& globals, const ServerFlags& flags) {
    config::ParsedConfig parsed;
    if (!globals.config_file.empty()) {
        auto from_file = read_config_file(globals.config_file);
        if (!from_file) return fail(std::move(from_file).error());
        parsed = std::move(from_file).value();
    }
    config::ServerConfig& c = parsed.config;

    if (const char* env = std::getenv("KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID"); env && *env) c.cluster_id = env;
    if (const char* env = std::getenv("AWS_IAM_AUTHENTICATOR_LOG_VERBOSITY"); env && *env) c.log_verbosity = env;

    if (globals.cluster_id) c.cluster_id = *globals.cluster_id;
    if (globals.log_format) c.log_format = *globals.log_format;
    if (globals.log_verbosity) c.log_verbosity = *globals.log_verbosity;
    if (flags.partition) c.partition = *flags.partition;
    if (flags.generate_kubeconfig) c.generate_kubeconfig = *flags.generate_kubeconfig;
    if (flags.kubeconfig_pregenerated_flag->count() > 0) c.kubeconfig_pregenerated = flags.kubeconfig_pregenerated;
    if (flags.state_dir) c.state_dir = *flags.state_dir;
    if (flags.address) c.address = *flags.address;
    if (flags.hostname) c.hostname = *flags.hostname;
    if (flags.backend_mode) c.backend_mode = *flags.backend_mode;
    if (flags.port) {
        if (*flags.port > 65535) return fail("flag --port: must be a port number from 0 to 65535");
        c.port = static_cast<std::uint16_t>(*flags.port);
    }
    if (flags.sts_endpoint_override) c.sts_endpoint_override = *flags.sts_endpoint_override;
    if (flags.sts_ca_cert) c.sts_ca_cert_file = *flags.sts_ca_cert;
    if (flags.region) c.region = *flags.region;
    if (flags.sts_regions) c.sts_regions = *flags.sts_regions;
    if (flags.aws_auth_path) c.aws_auth_path = *flags.aws_auth_path;
    if (flags.sts_timeout) {
        auto timeout = config::parse_duration(*flags.sts_timeout);
        if (!timeout) return fail("flag --sts-timeout: " + timeout.error());
        c.sts_timeout = *timeout;
    }

    if (globals.feature_gates) {
        if (auto applied = config::apply_feature_gates(*globals.feature_gates, c, parsed.warnings); !applied) {
            return fail("flag --feature-gates: " + applied.error());
        }
    }
    if (flags.kubeconfig || flags.master) {
        parsed.warnings.push_back("--kubeconfig/--master: only used by backends this build does not have yet; ignored");
    }
    if (flags.max_inflight_sts) c.max_inflight_sts_requests = *flags.max_inflight_sts;
    if (flags.identity_cache_ttl) {
        auto ttl = config::parse_duration(*flags.identity_cache_ttl);
        if (!ttl) return fail("flag --identity-cache-ttl: " + ttl.error());
        c.identity_cache_ttl = *ttl;
    }
    for (const auto& [flag, text, target] :
         {std::tuple{"--identity-cache-max-entries", &flags.identity_cache_max_entries, &c.identity_cache_max_entries},
          std::tuple{"--identity-cache-max-bytes", &flags.identity_cache_max_bytes, &c.identity_cache_max_bytes}}) {
        if (!*text) continue;
        auto size = config::parse_byte_size(**text);
        if (!size) return fail(std::string("flag ") + flag + ": " + size.error());
        *target = *size;
    }
    if (flags.ec2_qps) c.ec2_describe_instances_qps = *flags.ec2_qps;
    if (flags.ec2_burst) c.ec2_describe_instances_burst = *flags.ec2_burst;

    auto valid = config::validate(c);
    if (!valid) return fail(valid.error());
    return parsed;
}

void add_server_flags(CLI::App& command, ServerFlags& flags) {
    command.add_option(
        "--partition", flags.partition,
        "AWS partition: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc (default aws)");
    command.add_option("--generate-kubeconfig", flags.generate_kubeconfig,
                       "Where to write the webhook kubeconfig for kube-apiserver (default "
                       "/etc/kubernetes/aws-iam-authenticator/kubeconfig.yaml)");
    // A Go-style boolean flag: --kubeconfig-pregenerated or --kubeconfig-pregenerated=false.
    flags.kubeconfig_pregenerated_flag =
        command.add_flag("--kubeconfig-pregenerated", flags.kubeconfig_pregenerated,
                         "The webhook kubeconfig was written by `init`; do not rewrite it");
    command.add_option("--state-dir", flags.state_dir,
                       "Directory for the certificate and key (default /var/aws-iam-authenticator)");
    command.add_option("--address", flags.address, "IP address to listen on (default 127.0.0.1)");
    command.add_option("--port", flags.port, "Port to listen on (default 21362; 0 picks a free port)");
    command
        .add_option("--backend-mode", flags.backend_mode,
                    "Ordered, comma-separated mapping sources: MountedFile (alias File), EKSConfigMapFile, DynamicFile "
                    "(default MountedFile)")
        ->delimiter(',');
    command.add_option("--sts-endpoint-override", flags.sts_endpoint_override,
                       "Send every STS request to https://host[:port] instead of the token's host (Host header and "
                       "signature unchanged)");
    command.add_option("--sts-ca-cert", flags.sts_ca_cert, "CA bundle to verify STS with (default: the system store)");
    command.add_option("--sts-timeout", flags.sts_timeout, "Deadline for one STS exchange, e.g. 10s (default 10s)");
    command.add_option("--region", flags.region,
                       "This server's AWS region: accepted as an STS region even if its name is new");
    command
        .add_option("--sts-regions", flags.sts_regions,
                    "Comma-separated AWS regions newer than this build whose STS endpoints tokens may name "
                    "(server.stsRegions)")
        ->delimiter(',');
    command.add_option(
        "--aws-auth-path", flags.aws_auth_path,
        "aws-auth ConfigMap manifest, or mounted ConfigMap directory, for backend mode EKSConfigMapFile");
    command.add_option("--threads", flags.threads, "Worker threads (default: one per core)")->check(CLI::Range(1, 256));
    command.add_option("--kubeconfig", flags.kubeconfig, "Upstream's API server kubeconfig (not used by this build)");
    command.add_option("--master", flags.master, "Upstream's API server URL (not used by this build)");
    command
        .add_option("--max-inflight-sts-requests", flags.max_inflight_sts,
                    "STS calls allowed in flight at once; more are denied (429) without asking STS (default 2048)")
        ->check(CLI::Range(1u, 1000000u));
    command.add_option(
        "--identity-cache-ttl", flags.identity_cache_ttl,
        "Keep STS's answer for a token this long, at most 15m; 0 turns the identity cache off (default 2m)");
    command.add_option("--identity-cache-max-entries", flags.identity_cache_max_entries,
                       "Tokens the identity cache holds at most (default 20000)");
    command.add_option("--identity-cache-max-bytes", flags.identity_cache_max_bytes,
                       "Memory the identity cache holds at most, e.g. 32Mi (default 32Mi)");
    command.add_option("--ec2-describeInstances-qps", flags.ec2_qps,
                       "EC2 DescribeInstances calls per second for {{EC2PrivateDNSName}} (default 15)");
    command.add_option("--ec2-describeInstances-burst", flags.ec2_burst,
                       "EC2 DescribeInstances calls allowed in a burst (default 5)");
}

}  // namespace aia::cli
