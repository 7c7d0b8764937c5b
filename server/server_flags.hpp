#pragma once
// The flags `server` takes, shared with `init` (which prepares the same
// state files ahead of time, so it must read the same configuration).

#include <string>

#include "commands.hpp"
#include "core/config/server_config.hpp"
#include "core/util/result.hpp"

namespace aia::cli {

struct ServerFlags {
    SettingFlags settings;
};

// `scope` is Server for `server`, Init for `init` (which also takes --hostname).
void add_server_flags(CLI::App& command, ServerFlags& flags, config::FlagScope scope);

// defaults (`base`) < --config file < environment < flags, validated.
Result<config::ParsedConfig, std::string> load_server_config(const GlobalFlags& globals, const ServerFlags& flags,
                                                             config::ServerConfig base = {});

// "aws-iam-authenticator: <message>" on stderr; returns exit status 1.
int startup_error(const std::string& message);

}  // namespace aia::cli
