#pragma once
// The flags `server` takes, shared with `init` (which prepares the same
// state files ahead of time, so it must read the same configuration).

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "core/config/server_config.hpp"
#include "core/util/result.hpp"

namespace CLI {
class Option;
}

namespace aia::cli {

struct ServerFlags {
    std::optional<std::string> partition;
    std::optional<std::string> generate_kubeconfig;
    bool kubeconfig_pregenerated = false;
    CLI::Option* kubeconfig_pregenerated_flag = nullptr;  // set only when given
    std::optional<std::string> state_dir;
    std::optional<std::string> address;
    std::optional<std::vector<std::string>> backend_mode;
    std::optional<unsigned> port;
    std::optional<std::string> sts_endpoint_override;
    std::optional<std::string> sts_ca_cert;
    std::optional<std::string> sts_timeout;
    std::optional<std::string> region;
    std::optional<std::vector<std::string>> sts_regions;
    std::optional<std::string> aws_auth_path;
    std::optional<std::string> hostname;  // init only (upstream's `init --hostname`)
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::optional<int> ec2_qps, ec2_burst;
    std::optional<unsigned> max_inflight_sts;
    std::optional<std::string> identity_cache_ttl, identity_cache_max_entries, identity_cache_max_bytes;
    // Upstream flags for features not built yet: accepted so manifests work.
    std::optional<std::string> kubeconfig, master;
};

void add_server_flags(CLI::App& command, ServerFlags& flags);

// defaults < --config file < environment < flags, validated.
Result<config::ParsedConfig, std::string> load_server_config(const GlobalFlags& globals, const ServerFlags& flags);

// "aws-iam-authenticator: <message>" on stderr; returns exit status 1.
int startup_error(const std::string& message);

}  // namespace aia::cli
