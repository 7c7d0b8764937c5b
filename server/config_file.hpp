#pragma once
// Reading the --config file, shared by the commands that take one.

#include <string>

#include "commands.hpp"
#include "core/config/server_config.hpp"
#include "core/util/result.hpp"

namespace aia::cli {

// The file parsed over `base` (the defaults); errors start with the file's path.
Result<config::ParsedConfig, std::string> read_config_file(const std::string& path, config::ServerConfig base = {});

// The cluster ID for the client commands (token, verify): -i, else
// KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID, else clusterID in --config; empty when none.
std::string client_cluster_id(const GlobalFlags& globals);

}  // namespace aia::cli
