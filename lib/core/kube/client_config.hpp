#pragma once
// Where the Kubernetes API is and how to authenticate to it, resolved the way
// client-go's clientcmd.BuildConfigFromFlags(master, kubeconfig) does for
// upstream's server: in-cluster, a kubeconfig file, or --master alone.
//
// Pure: file contents and the environment are handed in. Files named here
// (CA, token, client certificate) are read later by the caller, so a
// rotated service-account token is picked up.
//
// Fail closed where client-go is lax: plain http://, an unverified
// server (unless allowed) and credential kinds we cannot honour (exec
// plugins, auth providers, basic auth, impersonation) are refused.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.hpp"

namespace aia::kube {

// PEM given inline (a kubeconfig "*-data" field, decoded) or as a file path.
struct PemSource {
    std::string data;
    std::string file;
    bool empty() const { return data.empty() && file.empty(); }
};

struct ClientConfig {
    std::string server_host;  // a name or an IP address; IPv6 without brackets
    uint16_t port = 443;
    std::string base_path;  // "" or "/prefix" without a trailing slash
    std::string tls_server_name;
    PemSource ca;  // empty: the system roots
    bool insecure_skip_tls_verify = false;
    std::string bearer_token;
    std::string token_file;  // re-read by the client; wins over bearer_token once read
    PemSource client_cert;
    PemSource client_key;
    std::string source;  // "in-cluster", "kubeconfig FILE context C", "--master"
};

// "host:port" for the Host header and messages; IPv6 hosts in brackets.
std::string authority(const ClientConfig& config);

struct ServerUrl {
    std::string host;  // IPv6 without brackets
    uint16_t port = 443;
    std::string base_path;
};

// "https://host[:port][/path]". http:// is refused: the API carries credentials.
Result<ServerUrl, std::string> parse_server_url(std::string_view url);

// A kubeconfig document. Relative file paths are taken from `kubeconfig_dir`
// as client-go does; `context_override` replaces current-context.
Result<ClientConfig, std::string> parse_kubeconfig(std::string_view yaml, std::string_view kubeconfig_dir,
                                                   std::string_view context_override = {}, bool allow_insecure = false);

// --master replaces the server URL and keeps everything else.
Result<ClientConfig, std::string> apply_master(ClientConfig config, std::string_view master_url);

// Looks up an environment variable; "" when unset (as upstream, empty counts as unset).
using EnvLookup = std::function<std::string(std::string_view)>;

inline constexpr std::string_view kServiceAccountTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token";
inline constexpr std::string_view kServiceAccountCaFile = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

// rest.InClusterConfig: KUBERNETES_SERVICE_HOST/PORT and the service account files.
Result<ClientConfig, std::string> in_cluster_config(const EnvLookup& env);

struct ResolveInput {
    std::string master;           // --master, may be empty
    std::string kubeconfig_path;  // --kubeconfig, may be empty
    std::string kubeconfig_text;  // its contents, read by the caller
    std::string context;          // optional context override
    bool allow_insecure = false;
    // BuildConfigFromFlags warns before falling back to in-cluster; upstream's
    // CRD backend calls InClusterConfig directly and does not.
    bool warn_in_cluster = true;
};

struct ResolvedConfig {
    ClientConfig config;
    std::vector<std::string> warnings;  // for the caller to log
};

// BuildConfigFromFlags: kubeconfig (with --master over its server), else
// --master alone (no credentials: upstream's behaviour, with a warning), else in-cluster.
Result<ResolvedConfig, std::string> resolve(const ResolveInput& input, const EnvLookup& env);

}  // namespace aia::kube
