#pragma once
// The server's configuration: upstream's config file keys and flags, plus
// ours. Parsing is pure (YAML text in, struct out); the server command reads
// the file, applies environment and flags on top, then calls validate().

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/mapping/mapping_config.hpp"
#include "core/util/result.hpp"

namespace aia::config {

struct ServerConfig {
    std::string cluster_id;             // clusterID / -i; required
    std::string partition = "aws";      // server.partition
    std::string address = "127.0.0.1";  // server.address: IP to listen on
    std::uint16_t port = 21362;         // server.port; 0 picks a free port (logged)
    std::string health_address = ":21363";  // server.healthAddress: plain-HTTP /healthz listener, or "off"
    std::string hostname = "localhost";  // server.hostname: host in the kubeconfig URL (upstream's default)
    std::string state_dir = "/var/aws-iam-authenticator";  // server.stateDir
    std::string generate_kubeconfig =
        "/etc/kubernetes/aws-iam-authenticator/kubeconfig.yaml";  // server.generateKubeconfig
    bool kubeconfig_pregenerated = false;                         // server.kubeconfigPregenerated
    std::vector<std::string> backend_mode = {"MountedFile"};      // server.backendMode (see backend_mode_name)
    std::vector<std::string> scrubbed_accounts;                   // server.scrubbedAccounts
    mapping::MappingConfig mappings;           // server.mapRoles / mapUsers / mapAccounts (the MountedFile source)
    std::string dynamic_file_path;             // server.dynamicfilepath (DynamicFile source)
    bool dynamic_file_user_id_strict = false;  // server.dynamicfileUserIDStrict
    std::string dynamic_backend_mode_path;     // server.dynamicBackendModePath: EKS's file that switches backendMode
    // server.reservedPrefixConfig: backend mode -> username prefixes its mappings may not produce.
    std::map<std::string, std::vector<std::string>> reserved_prefixes;

    // The server's own AWS calls: EC2 lookups for {{EC2PrivateDNSName}}.
    std::string ec2_describe_instances_role_arn;  // server.ec2DescribeInstancesRoleARN: role to assume for them
    std::string source_arn;                       // server.sourceARN: x-amz-source-arn/-account on that AssumeRole
    double ec2_describe_instances_qps = 15;       // server.ec2DescribeInstancesQps / --ec2-describeInstances-qps
    int ec2_describe_instances_burst = 5;         // server.ec2DescribeInstancesBurst / --ec2-describeInstances-burst

    // Ours.
    std::string sts_endpoint_override;  // server.stsEndpointOverride: "https://host[:port]" to connect to instead
    std::string sts_ca_cert_file;       // server.stsCACertFile: trust bundle for STS; empty: system store
    std::chrono::milliseconds sts_timeout{
        std::chrono::seconds{10}};              // server.stsTimeout: whole STS exchange (upstream: 10 s)
    unsigned max_inflight_sts_requests = 2048;  // server.maxInflightSTSRequests (ours): more are denied at once
    // The identity cache (ours): STS's answers by token hash; a TTL of 0 turns it off.
    std::chrono::milliseconds identity_cache_ttl{std::chrono::minutes{2}};  // server.identityCacheTTL
    std::size_t identity_cache_max_entries = 20'000;                        // server.identityCacheMaxEntries
    std::size_t identity_cache_max_bytes = 32u << 20;                       // server.identityCacheMaxBytes
    // Connection limits (ours), as net::HttpServerOptions applies them.
    std::chrono::milliseconds tls_handshake_timeout{std::chrono::seconds{10}};  // server.tlsHandshakeTimeout
    std::chrono::milliseconds idle_timeout{std::chrono::seconds{60}};           // server.idleTimeout: between requests
    std::chrono::milliseconds read_header_timeout{
        std::chrono::seconds{10}};  // server.readHeaderTimeout: first byte to last header
    std::chrono::milliseconds read_body_timeout{std::chrono::seconds{10}};  // server.readBodyTimeout
    std::chrono::milliseconds write_timeout{std::chrono::seconds{10}};      // server.writeTimeout: one answer
    // A request's answer is due this long after it was read: under
    // kube-apiserver's own 30 s, above stsTimeout and an EC2 lookup.
    std::chrono::milliseconds request_timeout{std::chrono::seconds{25}};  // server.requestTimeout
    unsigned max_connections = 4096;                 // server.maxConnections: more are closed at once
    unsigned max_requests_per_connection = 100'000;  // server.maxRequestsPerConnection
    // SIGTERM/SIGINT: how long requests in progress may take to finish.
    std::chrono::milliseconds shutdown_grace_period{std::chrono::seconds{10}};  // server.shutdownGracePeriod
    std::string region;  // server.region: our own region, accepted as an STS region (see sts_region_policy.hpp)
    std::vector<std::string> sts_regions;  // server.stsRegions: more STS regions to accept (newer than this build)
    std::string aws_auth_path;  // server.awsAuthPath: aws-auth ConfigMap file or directory (EKSConfigMapFile source)

    // The Kubernetes API, for the EKSConfigMap and CRD sources (upstream's
    // BuildConfigFromFlags: kubeconfig, else master alone, else in-cluster).
    std::string kubeconfig;  // server.kubeconfig / --kubeconfig
    std::string master;      // server.master / --master: replaces the kubeconfig's server URL
    bool kube_allow_insecure = false;  // server.kubeAllowInsecureTLS (ours): honour insecure-skip-tls-verify

    bool sso_role_match = false;  // --feature-gates / feature-gates: SSORoleMatch=true enables sso entries
    // ConfiguredInitDirectories=true: `init` writes where stateDir and
    // generateKubeconfig say even when not given, rather than in ./ (upstream's gate).
    bool configured_init_directories = false;

    std::string log_format = "text";     // --log-format / log-format: text | json
    std::string log_verbosity = "info";  // --log-verbosity / log-verbosity

    unsigned threads = 0;  // --threads: HTTPS worker threads; 0: one per core
};

struct ParsedConfig {
    ServerConfig config;
    // Keys we do not know or do not support yet: logged, never fatal, so a
    // config written for upstream starts unchanged.
    std::vector<std::string> warnings;
};

// Applies the YAML document on top of `base` (settings.hpp says how each key is read). Keys match without regard to
// letter case, as upstream's (viper) do. Errors name the key or YAML line.
Result<ParsedConfig, std::string> parse_server_config(std::string_view yaml_text, ServerConfig base = {});

// Checks the combined configuration (file, environment and flags); the error
// names the key.
Result<bool, std::string> validate(const ServerConfig& config);

struct Endpoint {
    std::string host;  // a name or an IP address, without brackets
    std::uint16_t port = 443;
};

// "https://host[:port][/]", as server.stsEndpointOverride takes it. A path,
// query, user-info, empty host or other scheme is refused rather than dropped.
Result<Endpoint, std::string> parse_endpoint_url(std::string_view url);

// The backend modes this build runs, by their canonical names.
inline constexpr std::string_view kModeMountedFile = "MountedFile";
inline constexpr std::string_view kModeConfigMapFile = "EKSConfigMapFile";
inline constexpr std::string_view kModeDynamicFile = "DynamicFile";
// Kept in the Kubernetes API: kube-system/aws-auth ("ConfigMap" is upstream's
// alias), and IAMIdentityMapping objects.
inline constexpr std::string_view kModeConfigMap = "EKSConfigMap";
inline constexpr std::string_view kModeCRD = "CRD";

// A backend mode's canonical name ("File" is upstream's alias of
// MountedFile, "ConfigMap" of EKSConfigMap), or empty when no backend has it.
std::string_view backend_mode_name(std::string_view mode);

// Upstream's --feature-gates ("SSORoleMatch=true,ConfiguredInitDirectories=false")
// applied to `config`; an unknown gate is an error.
Result<bool, std::string> apply_feature_gates(std::string_view gates, ServerConfig& config);

// "10s", "500ms", "1m30s", "2h" (Go's time.ParseDuration units h, m, s, ms).
Result<std::chrono::milliseconds, std::string> parse_duration(std::string_view text);

// "33554432", "64Ki", "32Mi", "1Gi" (Kubernetes' binary suffixes): a size in bytes.
Result<std::size_t, std::string> parse_byte_size(std::string_view text);

// A token is valid for 15 minutes after signing: a longer cache TTL means nothing.
inline constexpr std::chrono::minutes kMaxIdentityCacheTTL{15};

// The host the generated kubeconfig names: server.hostname, else the listen
// address (127.0.0.1 when listening on all addresses).
std::string advertised_host(const ServerConfig& config);

}  // namespace aia::config
