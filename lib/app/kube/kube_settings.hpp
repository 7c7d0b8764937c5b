#pragma once
// Where the Kubernetes API is, as upstream's BuildConfigFromFlags finds it:
// a kubeconfig (with the master URL over its server), else the master URL
// alone, else in-cluster. Reads the kubeconfig file and the process
// environment.

#include "core/config/server_config.hpp"
#include "core/kube/client_config.hpp"
#include "core/util/result.hpp"

namespace aia::app {

struct KubeConnection {
    std::string kubeconfig;  // a file; empty: none
    std::string master;      // https://host[:port]
    std::string context;     // overrides the kubeconfig's current-context
    bool allow_insecure = false;
    bool warn_in_cluster = true;
};
Result<kube::ResolvedConfig, std::string> resolve_kube_config(const KubeConnection& connection);

// The server's: server.kubeconfig, server.master, server.kubeAllowInsecureTLS.
Result<kube::ResolvedConfig, std::string> resolve_kube_config(const config::ServerConfig& config);

}  // namespace aia::app
