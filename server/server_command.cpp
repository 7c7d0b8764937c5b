// `server`: the webhook kube-apiserver calls. Same flags as upstream, so
// existing manifests work; flags upstream has and we do not support yet are
// accepted with a warning.
//
// Configuration (defaults < file < environment < flags) is built here; the
// running server is composed by app::ServerRuntime.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <thread>

#include "app/server_runtime.hpp"
#include "build_info.hpp"
#include "commands.hpp"
#include "server_flags.hpp"

namespace aia::cli {
namespace {

int run_server(const GlobalFlags& globals, const ServerFlags& flags) {
    auto loaded = load_server_config(globals, flags);
    if (!loaded) return startup_error(loaded.error());
    // --threads, else one per core.
    const unsigned threads =
        loaded->config.threads ? loaded->config.threads : std::max(1u, std::thread::hardware_concurrency());
    app::ServerRuntime runtime({.config = std::move(loaded->config),
                                .config_warnings = std::move(loaded->warnings),
                                .config_file = globals.config_file,
                                .threads = threads,
                                .version = build_info::kVersion,
                                .commit = build_info::kGitCommit});
    if (auto started = runtime.start(); !started) return startup_error(started.error());
    runtime.serve();
    return 0;
}

}  // namespace

void add_server_command(CLI::App& app, const GlobalFlags& globals, int& exit_status) {
    auto flags = std::make_shared<ServerFlags>();
    CLI::App* command =
        app.add_subcommand("server", "Run a webhook validation server that validates tokens using AWS IAM");
    add_server_flags(*command, *flags, config::FlagScope::Server);
    command->callback([&globals, &exit_status, flags] { exit_status = run_server(globals, *flags); });
}

}  // namespace aia::cli
