#pragma once
// Where the Kubernetes API is for a server configuration, as upstream's
// BuildConfigFromFlags finds it: server.kubeconfig (with server.master over
// its server URL), else server.master alone, else in-cluster. Reads the
// kubeconfig file and the process environment.

#include "core/config/server_config.hpp"
#include "core/kube/client_config.hpp"
#include "core/util/result.hpp"

namespace aia::app {

Result<kube::ResolvedConfig, std::string> resolve_kube_config(const config::ServerConfig& config);

}  // namespace aia::app
