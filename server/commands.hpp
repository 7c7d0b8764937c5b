#pragma once
// The executable's commands, each in its own file. main.cpp only parses the
// command line and dispatches.

#include <string>

#include "setting_flags.hpp"

namespace aia::cli {

// Flags every command accepts (upstream's persistent flags).
struct GlobalFlags {
    std::string config_file;  // -c, --config
    SettingFlags settings;    // -i, -l, -v, --feature-gates (config::FlagScope::Global)
};

// Registers `server` and returns where its exit status will be written.
void add_server_command(CLI::App& app, const GlobalFlags& globals, int& exit_status);
void add_version_command(CLI::App& app, int& exit_status);
void add_explain_command(CLI::App& app, const GlobalFlags& globals, int& exit_status);
void add_token_command(CLI::App& app, const GlobalFlags& globals, int& exit_status);
void add_verify_command(CLI::App& app, const GlobalFlags& globals, int& exit_status);
void add_init_command(CLI::App& app, const GlobalFlags& globals, int& exit_status);
// `add user` / `add role`: a mapping appended to kube-system/aws-auth through the API.
void add_add_command(CLI::App& app, int& exit_status);

}  // namespace aia::cli
