#include "core/config/settings.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <vector>

#include "core/aws/partition.hpp"
#include "core/config/listen_address.hpp"
#include "core/config/value_kinds.hpp"
#include "core/kube/client_config.hpp"
#include "core/mapping/entry_yaml.hpp"
#include "core/util/ascii.hpp"
#include "core/util/ip_literal.hpp"
#include "core/util/quote.hpp"

namespace aia::config {
namespace {

using std::chrono::milliseconds;
using namespace kinds;
// The table's vocabulary.
using enum FlagScope;
using enum Origin;
using C = ServerConfig;

bool lists(const std::vector<std::string>& modes, std::string_view wanted) {
    return std::any_of(modes.begin(), modes.end(),
                       [&](const std::string& m) { return backend_mode_name(m) == wanted; });
}

std::string check_backend_modes(const ServerConfig& c) {
    if (c.backend_mode.empty()) return "at least one backend-mode must be specified";
    std::vector<std::string_view> seen;
    for (const std::string& mode : c.backend_mode) {
        const std::string_view canonical = backend_mode_name(mode);
        if (canonical.empty()) return "backend-mode " + quote(mode) + " is not a valid mode";
        if (std::find(seen.begin(), seen.end(), canonical) != seen.end())
            return "backend mode " + quote(mode) + " is listed twice";
        seen.push_back(canonical);
    }
    return {};
}

std::string check_dynamic_file_path(const ServerConfig& c) {
    const bool mode = lists(c.backend_mode, kModeDynamicFile);
    if (mode && c.dynamic_file_path.empty()) return "dynamicfile is set in backend-mode but dynamicfilepath is not set";
    if (!mode && !c.dynamic_file_path.empty())
        return "dynamicfile is not set in backend-mode but dynamicfilepath is set";
    return {};
}

std::string check_log_verbosity(const ServerConfig& c) {
    static constexpr std::array kLevels = {"trace", "debug", "info", "warning", "warn", "error", "fatal", "panic"};
    if (std::find(kLevels.begin(), kLevels.end(), c.log_verbosity) != kLevels.end()) return {};
    return quote(c.log_verbosity) + " is not one of trace, debug, info, warning, error, fatal, panic";
}

ValueKind::Check positive(milliseconds ServerConfig::*field) {
    return [field](const ServerConfig& c) { return c.*field > milliseconds::zero() ? "" : "must be positive"; };
}

template <class Number>
ValueKind::Check at_least_one(Number ServerConfig::*field) {
    return [field](const ServerConfig& c) { return c.*field >= 1 ? "" : "must be at least 1"; };
}

ValueKind::Check an_arn(std::string ServerConfig::*field) {
    return [field](const ServerConfig& c) {
        const std::string& value = c.*field;
        return value.empty() || value.starts_with("arn:") ? "" : "must be an ARN (arn:...), not " + quote(value);
    };
}

std::vector<Setting> general_settings() {
    return {
        // clang-format off
        {.key = "clusterID", .flag = "cluster-id", .short_flag = 'i',
         .env = "KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID", .scope = Global,
         .doc = "Cluster ID; tokens must be signed for it", .default_note = "required",
         .value = text(&C::cluster_id, "ID"),
         .check = [](const C& c) -> std::string {
             if (!c.cluster_id.empty()) return {};
             return "cluster ID cannot be empty "
                    "(set clusterID, --cluster-id or KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID)";
         }},
        {.key = "log-format", .flag = "log-format", .short_flag = 'l', .scope = Global,
         .doc = "Log format: text (logrus-style) or json; another value is a warning and text, as upstream",
         .value = log_format(&C::log_format)},
        {.key = "log-verbosity", .flag = "log-verbosity", .short_flag = 'v',
         .env = "AWS_IAM_AUTHENTICATOR_LOG_VERBOSITY", .scope = Global,
         .doc = "Log level: trace, debug, info, warning, error, fatal, panic",
         .value = text(&C::log_verbosity, "LEVEL"), .check = check_log_verbosity},
        {.key = "feature-gates", .flag = "feature-gates", .scope = Global,
         .doc = "Upstream's feature gates, e.g. SSORoleMatch=true (enables sso entries in mapRoles)",
         .value = feature_gates()},
        {.key = "server.partition", .flag = "partition",
         .doc = "AWS partition: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc",
         .value = text(&C::partition, "PARTITION"),
         .check = [](const C& c) {
             return aws::find_partition(c.partition) ? "" : "invalid partition " + quote(c.partition);
         }},
        // clang-format on
    };
}

std::vector<Setting> listening_settings() {
    return {
        // clang-format off
        {.key = "server.address", .flag = "address",
         .doc = "IP address to listen on", .value = text(&C::address, "IP"),
         .check = [](const C& c) {
             if (c.address.empty()) return std::string("cannot be empty");
             return is_ip_literal(c.address) ? "" : quote(c.address) + " is not an IP address";
         }},
        {.key = "server.port", .flag = "port",
         .doc = "Port to listen on; 0 picks a free port (logged)", .value = port(&C::port)},
        {.key = "server.healthAddress", .flag = "health-address",
         .env = "AWS_IAM_AUTHENTICATOR_HEALTH_ADDRESS", .origin = Ours,
         .doc = "Plain-HTTP listener answering liveness (any path: ok) and /readyz, as upstream's on :21363; "
                "\":PORT\" is every interface, \"off\" none",
         .value = text(&C::health_address, "ADDRESS"),
         .check = [](const C& c) {
             auto parsed = parse_listen_address(c.health_address);
             return parsed ? std::string() : parsed.error();
         }},
        {.key = "server.hostname", .flag = "hostname", .scope = Init,
         .doc = "Host the webhook kubeconfig names for this server; the certificate names it, localhost, "
                "127.0.0.1 and a specific bind address",
         .value = text(&C::hostname, "HOST")},
        {.key = "server.stateDir", .flag = "state-dir",
         .doc = "Directory for the serving certificate and key (`init`: ./ unless given, as upstream)",
         .value = text(&C::state_dir, "DIR")},
        {.key = "server.generateKubeconfig", .flag = "generate-kubeconfig",
         .doc = "Where to write the webhook kubeconfig for kube-apiserver (`init`: "
                "./aws-iam-authenticator.kubeconfig unless given, as upstream)",
         .value = text(&C::generate_kubeconfig, "FILE")},
        {.key = "server.kubeconfigPregenerated", .flag = "kubeconfig-pregenerated",
         .doc = "The webhook kubeconfig was written by `init`; do not rewrite it",
         .value = on_off(&C::kubeconfig_pregenerated)},
        {.flag = "threads", .origin = Ours,
         .doc = "HTTPS worker threads", .default_note = "one per core",
         .value = whole_number(&C::threads, 1, 256)},
        // clang-format on
    };
}

std::vector<Setting> mapping_settings() {
    return {
        // clang-format off
        {.key = "server.backendMode", .flag = "backend-mode",
         .doc = "Mapping sources in order: MountedFile (alias File), EKSConfigMap (alias ConfigMap), CRD, "
                "EKSConfigMapFile, DynamicFile",
         .value = text_list(&C::backend_mode, "MODES"), .check = check_backend_modes},
        {.key = "server.mapRoles",
         .doc = "IAM roles to Kubernetes users and groups (the MountedFile source)", .default_note = "empty",
         .value = mapping_entries(mapping::EntryKind::Role)},
        {.key = "server.mapUsers",
         .doc = "IAM users to Kubernetes users and groups (the MountedFile source)", .default_note = "empty",
         .value = mapping_entries(mapping::EntryKind::User)},
        {.key = "server.mapAccounts",
         .doc = "AWS accounts whose every principal maps to its own ARN", .default_note = "empty",
         .value = mapped_accounts()},
        {.key = "server.dynamicfilepath",
         .doc = "The DynamicFile source's JSON file, followed as it changes",
         .value = text(&C::dynamic_file_path, "FILE"), .check = check_dynamic_file_path},
        {.key = "server.dynamicfileUserIDStrict",
         .doc = "DynamicFile entries are keyed by the STS user ID, and their ARN must name the caller",
         .value = on_off(&C::dynamic_file_user_id_strict)},
        {.key = "server.awsAuthPath", .flag = "aws-auth-path", .origin = Ours,
         .doc = "The aws-auth ConfigMap for EKSConfigMapFile: a manifest file or the directory it is mounted at",
         .value = text(&C::aws_auth_path, "PATH"),
         .check = [](const C& c) {
             return lists(c.backend_mode, kModeConfigMapFile) && c.aws_auth_path.empty()
                        ? "EKSConfigMapFile is set in backend-mode but awsAuthPath is not set" : "";
         }},
        {.key = "server.dynamicBackendModePath",
         .doc = "EKS's JSON file whose backendMode (\"MountedFile DynamicFile\") replaces the chain while the "
                "server runs; deleted: backendMode again",
         .value = text(&C::dynamic_backend_mode_path, "FILE")},
        {.key = "server.kubeconfig", .flag = "kubeconfig",
         .doc = "Kubeconfig for the Kubernetes API (EKSConfigMap, CRD); empty: --master, else in-cluster",
         .value = text(&C::kubeconfig, "FILE")},
        {.key = "server.master", .flag = "master",
         .doc = "The Kubernetes API's URL (https://host[:port]); replaces the kubeconfig's server",
         .value = text(&C::master, "URL"),
         .check = [](const C& c) -> std::string {
             if (c.master.empty()) return {};
             auto url = kube::parse_server_url(c.master);
             return url ? "" : url.error();
         }},
        {.key = "server.kubeAllowInsecureTLS", .flag = "kube-allow-insecure-tls", .origin = Ours,
         .doc = "Honour a kubeconfig's insecure-skip-tls-verify (refused otherwise: the API is not checked then)",
         .value = on_off(&C::kube_allow_insecure)},
        {.key = "server.reservedPrefixConfig",
         .doc = "Per backend mode, username prefixes its mappings may not produce", .default_note = "none",
         .value = reserved_prefixes()},
        {.key = "server.scrubbedAccounts",
         .doc = "Accounts whose callers' ARN, account ID and access key ID stay out of the logs",
         .default_note = "empty",
         .value = text_list(&C::scrubbed_accounts, "ACCOUNTS"),
         .check = [](const C& c) -> std::string {
             for (const std::string& account : c.scrubbed_accounts) {
                 if (account.size() != 12 || !ascii::all_of_digits(account))
                     return quote(account) + " is not a 12-digit account ID";
             }
             return {};
         }},
        // clang-format on
    };
}

std::vector<Setting> sts_settings() {
    return {
        // clang-format off
        {.key = "server.stsEndpointOverride", .flag = "sts-endpoint-override", .origin = Ours,
         .doc = "Connect to https://host[:port] for every STS call; the Host header and signature stay the token's",
         .value = text(&C::sts_endpoint_override, "URL"),
         .check = [](const C& c) -> std::string {
             if (c.sts_endpoint_override.empty()) return {};
             auto endpoint = parse_endpoint_url(c.sts_endpoint_override);
             return endpoint ? "" : endpoint.error();
         }},
        {.key = "server.stsCACertFile", .flag = "sts-ca-cert", .origin = Ours,
         .doc = "CA bundle to verify STS with", .default_note = "the system store",
         .value = text(&C::sts_ca_cert_file, "FILE")},
        {.key = "server.stsTimeout", .flag = "sts-timeout", .origin = Ours,
         .doc = "Deadline for one whole STS exchange; upstream's is a fixed 10s",
         .value = duration(&C::sts_timeout), .check = positive(&C::sts_timeout)},
        {.key = "server.region", .flag = "region", .origin = Ours,
         .doc = "This server's region: accepted as an STS region even if this build does not know it",
         .value = text(&C::region, "REGION")},
        {.key = "server.stsRegions", .flag = "sts-regions", .origin = Ours,
         .doc = "AWS regions newer than this build whose STS hosts tokens may name",
         .default_note = "none", .value = text_list(&C::sts_regions, "REGIONS")},
        {.key = "server.maxInflightSTSRequests", .flag = "max-inflight-sts-requests", .origin = Ours,
         .doc = "STS calls in flight at once; past it a review is denied at once (429)",
         .value = whole_number(&C::max_inflight_sts_requests),
         .check = at_least_one(&C::max_inflight_sts_requests)},
        // clang-format on
    };
}

std::vector<Setting> identity_cache_settings() {
    return {
        // clang-format off
        {.key = "server.identityCacheTTL", .flag = "identity-cache-ttl", .origin = Ours,
         .doc = "How long STS's answer for a token is reused, at most 15m; 0 turns the cache off",
         .value = duration(&C::identity_cache_ttl),
         .check = [](const C& c) {
             return c.identity_cache_ttl < milliseconds::zero() || c.identity_cache_ttl > kMaxIdentityCacheTTL
                        ? "must be from 0 (no cache) to 15m (a token's lifetime)" : "";
         }},
        {.key = "server.identityCacheMaxEntries", .flag = "identity-cache-max-entries",
         .origin = Ours, .doc = "Tokens the identity cache holds at most",
         .value = byte_size(&C::identity_cache_max_entries, "N"),
         .check = [](const C& c) {
             return c.identity_cache_ttl > milliseconds::zero() && c.identity_cache_max_entries < 1
                        ? "must be at least 1" : "";
         }},
        {.key = "server.identityCacheMaxBytes", .flag = "identity-cache-max-bytes",
         .origin = Ours, .doc = "Memory the identity cache's entries may hold, at least 64Ki",
         .value = byte_size(&C::identity_cache_max_bytes),
         .check = [](const C& c) {
             return c.identity_cache_ttl > milliseconds::zero() && c.identity_cache_max_bytes < 64 * 1024
                        ? "must be at least 64Ki" : "";
         }},
        // clang-format on
    };
}

std::vector<Setting> ec2_settings() {
    return {
        // clang-format off
        {.key = "server.ec2DescribeInstancesRoleARN",
         .doc = "Role to assume (session aws-iam-authenticator) for the EC2 calls",
         .value = text(&C::ec2_describe_instances_role_arn, "ARN"),
         .check = an_arn(&C::ec2_describe_instances_role_arn)},
        {.key = "server.sourceARN",
         .doc = "Sent as x-amz-source-arn and -account with that AssumeRole (confused-deputy condition)",
         .value = text(&C::source_arn, "ARN"), .check = an_arn(&C::source_arn)},
        {.key = "server.ec2DescribeInstancesQps", .flag = "ec2-describeInstances-qps",
         .doc = "EC2 DescribeInstances calls per second for {{EC2PrivateDNSName}}",
         .value = whole_number(&C::ec2_describe_instances_qps),
         .check = [](const C& c) { return c.ec2_describe_instances_qps > 0 ? "" : "must be positive"; }},
        {.key = "server.ec2DescribeInstancesBurst", .flag = "ec2-describeInstances-burst",
         .doc = "EC2 DescribeInstances calls allowed in a burst",
         .value = whole_number(&C::ec2_describe_instances_burst),
         .check = at_least_one(&C::ec2_describe_instances_burst)},
        // clang-format on
    };
}

std::vector<Setting> limit_settings() {
    return {
        // clang-format off
        {.key = "server.maxConnections", .origin = Ours,
         .doc = "Connections open at once; one more is accepted and closed at once",
         .value = whole_number(&C::max_connections), .check = at_least_one(&C::max_connections)},
        {.key = "server.maxRequestsPerConnection", .origin = Ours,
         .doc = "Then the answer says Connection: close, so long-lived connections rebalance",
         .value = whole_number(&C::max_requests_per_connection),
         .check = at_least_one(&C::max_requests_per_connection)},
        {.key = "server.tlsHandshakeTimeout", .origin = Ours,
         .doc = "Accept to the end of the TLS handshake",
         .value = duration(&C::tls_handshake_timeout), .check = positive(&C::tls_handshake_timeout)},
        {.key = "server.idleTimeout", .origin = Ours,
         .doc = "A keep-alive connection's wait for its next request",
         .value = duration(&C::idle_timeout), .check = positive(&C::idle_timeout)},
        {.key = "server.readHeaderTimeout", .origin = Ours,
         .doc = "First byte of a request to its last header, however slowly they trickle",
         .value = duration(&C::read_header_timeout), .check = positive(&C::read_header_timeout)},
        {.key = "server.readBodyTimeout", .origin = Ours,
         .doc = "End of the headers to the end of the body",
         .value = duration(&C::read_body_timeout), .check = positive(&C::read_body_timeout)},
        {.key = "server.writeTimeout", .origin = Ours,
         .doc = "Writing one answer to a client that does not read",
         .value = duration(&C::write_timeout), .check = positive(&C::write_timeout)},
        {.key = "server.requestTimeout", .origin = Ours,
         .doc = "End of the request to its answer (then 503); above stsTimeout, under kube-apiserver's 30s",
         .value = duration(&C::request_timeout), .check = positive(&C::request_timeout)},
        {.key = "server.shutdownGracePeriod", .origin = Ours,
         .doc = "SIGTERM/SIGINT: how long requests in progress may take to finish",
         .value = duration(&C::shutdown_grace_period),
         .check = [](const C& c) {
             return c.shutdown_grace_period < milliseconds::zero() ? "must not be negative" : "";
         }},
        // clang-format on
    };
}

// The groups, each a heading in the reference.
std::vector<Setting> make_settings() {
    const std::pair<std::string_view, std::vector<Setting> (*)()> groups[] = {
        {"General", general_settings}, {"Listening", listening_settings},           {"Mappings", mapping_settings},
        {"STS", sts_settings},         {"Identity cache", identity_cache_settings}, {"EC2", ec2_settings},
        {"Limits", limit_settings},
    };
    std::vector<Setting> table;
    for (const auto& [name, group] : groups) {
        for (Setting& setting : group()) {
            setting.group = name;
            table.push_back(std::move(setting));
        }
    }
    return table;
}

}  // namespace

std::span<const Setting> settings() {
    static const std::vector<Setting> table = make_settings();
    return table;
}

}  // namespace aia::config

namespace aia::config {

const Setting* find_setting_by_key(std::string_view key) {
    const std::string wanted = ascii::to_lower(key);
    for (const Setting& setting : settings()) {
        if (!setting.key.empty() && ascii::to_lower(setting.key) == wanted) return &setting;
    }
    return nullptr;
}

const Setting* find_setting_by_flag(std::string_view flag) {
    for (const Setting& setting : settings()) {
        if (setting.flag == flag) return &setting;
    }
    return nullptr;
}

std::string describe_key(const Setting& setting) { return "config key " + std::string(setting.key); }

std::string describe_flag(const Setting& setting) { return "flag --" + std::string(setting.flag); }

Result<bool, SettingError> apply_text(const Setting& setting, ServerConfig& config, std::span<const std::string> values,
                                      const std::string& where, Warnings& warnings) {
    std::vector<std::string> items;
    if (setting.value.is_list) {
        for (const std::string& value : values) {
            for (std::string& item : kinds::split_list(value)) items.push_back(std::move(item));
        }
    } else if (!values.empty()) {
        items.push_back(values.back());  // a flag given twice: the last wins, as with Go's flags
    }
    auto read = setting.value.read(config, items, warnings);
    if (!read) return fail(SettingError{where, std::move(read).error()});
    return true;
}

Result<bool, SettingError> apply_node(const Setting& setting, ServerConfig& config, const YAML::Node& node,
                                      const std::string& path, Warnings& warnings) {
    if (setting.value.read_node) return setting.value.read_node(config, node, path, warnings);
    const std::string where = "config key " + path;
    std::vector<std::string> items;
    if (setting.value.is_list && !node.IsScalar()) {
        auto list = mapping::read_scalar_list(node, path);
        if (!list) return fail(SettingError{"config key " + list.error().where, list.error().what});
        items = std::move(list).value();
    } else {
        auto text = mapping::read_scalar(node, path);
        if (!text) return fail(SettingError{"config key " + text.error().where, text.error().what});
        if (setting.value.is_list) return apply_text(setting, config, std::array{*text}, where, warnings);
        items.push_back(std::move(text).value());
    }
    auto read = setting.value.read(config, items, warnings);
    if (!read) return fail(SettingError{where, std::move(read).error()});
    return true;
}

Result<bool, SettingError> apply_environment(ServerConfig& config,
                                             const std::function<const char*(const char*)>& variable,
                                             Warnings& warnings) {
    for (const Setting& setting : settings()) {
        if (setting.env.empty()) continue;
        const char* value = variable(std::string(setting.env).c_str());
        if (value == nullptr || *value == '\0') continue;
        auto applied = apply_text(setting, config, std::array{std::string(value)},
                                  "environment variable " + std::string(setting.env), warnings);
        if (!applied) return applied;
    }
    return true;
}

std::string show_value(const Setting& setting, const ServerConfig& config) { return setting.value.show(config); }

}  // namespace aia::config
