// `init`: writes the server's certificate, key and webhook kubeconfig ahead
// of time, so kube-apiserver can be configured before the server first
// starts (then run `server --kubeconfig-pregenerated` with the same flags).
// It reads the configuration as `server` does, except that, as upstream,
// the files go to ./cert.pem, ./key.pem and ./aws-iam-authenticator.kubeconfig
// unless the state directory or kubeconfig path is given (or the
// ConfiguredInitDirectories gate is on), for the operator to copy into place.

#include <CLI/CLI.hpp>

#include <cstdio>

#include "app/server_runtime.hpp"
#include "app/state_files.hpp"
#include "build_info.hpp"
#include "commands.hpp"
#include "server_flags.hpp"

namespace aia::cli {
namespace {

// Upstream's places for `init` without its ConfiguredInitDirectories gate.
config::ServerConfig current_directory_defaults() {
    config::ServerConfig defaults;
    defaults.state_dir = ".";
    defaults.generate_kubeconfig = "aws-iam-authenticator.kubeconfig";
    return defaults;
}

// Upstream's hint: where the files written here belong on the control plane.
void print_copy_hints(const config::ServerConfig& here, const config::ServerConfig& server) {
    const auto hint = [](const std::string& from, const std::string& to) {
        if (from != to) std::printf("copy %s to %s on kubernetes master node(s)\n", from.c_str(), to.c_str());
    };
    hint(here.state_dir + "/cert.pem", server.state_dir + "/cert.pem");
    hint(here.state_dir + "/key.pem", server.state_dir + "/key.pem");
    hint(here.generate_kubeconfig, server.generate_kubeconfig);
}

int run_init(const GlobalFlags& globals, const ServerFlags& flags) {
    auto loaded = load_server_config(globals, flags, current_directory_defaults());
    if (!loaded) return startup_error(loaded.error());
    if (loaded->config.configured_init_directories) loaded = load_server_config(globals, flags);
    if (!loaded) return startup_error(loaded.error());
    const config::ServerConfig& c = loaded->config;
    if (c.port == 0)
        return startup_error("config key server.port: init needs a fixed port, since the kubeconfig names it");

    std::printf("Authenticator Version: \"%s\", \"%s\"\n", build_info::kVersion, build_info::kGitCommit);
    // A reused certificate must name the host the kubeconfig will, or
    // kube-apiserver's TLS check would fail every authentication.
    const std::string host = config::advertised_host(c);
    auto certificate = app::ensure_certificate(c.state_dir, {.hosts = app::certificate_hosts(c), .webhook_host = host});
    if (!certificate) return startup_error("serving certificate: " + certificate.error());
    std::printf("%s %s and %s\n",
                certificate->renewed     ? "renewed"
                : certificate->generated ? "generated"
                                         : "reusing",
                certificate->cert_path.c_str(), certificate->key_path.c_str());
    for (const std::string& warning : certificate->warnings) std::printf("warning: %s\n", warning.c_str());
    const std::string url = app::webhook_url(host, c.port);
    auto written = app::write_webhook_kubeconfig(c.generate_kubeconfig, url, certificate->cert_pem);
    if (!written) return startup_error("config key server.generateKubeconfig: " + written.error());
    std::printf("wrote %s (server %s)\n", c.generate_kubeconfig.c_str(), url.c_str());
    // Where `server` would look, for the copy hints.
    auto for_server = load_server_config(globals, flags);
    const config::ServerConfig& server = for_server ? for_server->config : c;
    print_copy_hints(c, server);
    std::printf(
        "configure kube-apiserver with --authentication-token-webhook-config-file=%s\n"
        "and start the server with the same configuration and --kubeconfig-pregenerated\n",
        server.generate_kubeconfig.c_str());
    return 0;
}

}  // namespace

void add_init_command(CLI::App& app, const GlobalFlags& globals, int& exit_status) {
    auto flags = std::make_shared<ServerFlags>();
    CLI::App* command = app.add_subcommand(
        "init", "Write the certificate, key and webhook kubeconfig ahead of time (takes the server's flags)");
    add_server_flags(*command, *flags, config::FlagScope::Init);
    command->callback([&globals, &exit_status, flags] { exit_status = run_init(globals, *flags); });
}

}  // namespace aia::cli
