// `server`: the webhook kube-apiserver calls. Same flags as upstream, so
// existing manifests work; flags upstream has and we do not support yet are
// accepted with a warning.
//
// Start-up order: configuration (defaults < file < environment < flags),
// mapping table, certificate, listening socket, kubeconfig, then serve.

#include <CLI/CLI.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "app/authenticator.hpp"
#include "app/aws/aws_session.hpp"
#include "app/logger.hpp"
#include "app/mapping_sources.hpp"
#include "app/metrics.hpp"
#include "app/state_files.hpp"
#include "app/webhook_handler.hpp"
#include "build_info.hpp"
#include "commands.hpp"
#include "config_file.hpp"
#include "core/config/server_config.hpp"
#include "net/http_server.hpp"
#include "net/sts_client.hpp"
#include "net/tls_context.hpp"

namespace aia::cli {
namespace {

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
    std::optional<std::string> aws_auth_path;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::optional<int> ec2_qps, ec2_burst;
    // Upstream flags for features not built yet: accepted so manifests work.
    std::optional<std::string> kubeconfig, master;
};

int startup_error(const std::string& message) {
    std::fprintf(stderr, "aws-iam-authenticator: %s\n", message.c_str());
    return 1;
}

Result<config::ParsedConfig, std::string> load_config(const GlobalFlags& globals, const ServerFlags& flags) {
    config::ParsedConfig parsed;
    if (!globals.config_file.empty()) {
        auto from_file = read_config_file(globals.config_file);
        if (!from_file) return fail(std::move(from_file).error());
        parsed = std::move(from_file).value();
    }
    config::ServerConfig& c = parsed.config;

    if (const char* env = std::getenv("KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID"); env && *env) c.cluster_id = env;
    if (const char* env = std::getenv("AWS_IAM_AUTHENTICATOR_LOG_VERBOSITY"); env && *env) c.log_verbosity = env;

    if (globals.cluster_id) c.cluster_id = *globals.cluster_id;
    if (globals.log_format) c.log_format = *globals.log_format;
    if (globals.log_verbosity) c.log_verbosity = *globals.log_verbosity;
    if (flags.partition) c.partition = *flags.partition;
    if (flags.generate_kubeconfig) c.generate_kubeconfig = *flags.generate_kubeconfig;
    if (flags.kubeconfig_pregenerated_flag->count() > 0) c.kubeconfig_pregenerated = flags.kubeconfig_pregenerated;
    if (flags.state_dir) c.state_dir = *flags.state_dir;
    if (flags.address) c.address = *flags.address;
    if (flags.backend_mode) c.backend_mode = *flags.backend_mode;
    if (flags.port) {
        if (*flags.port > 65535) return fail("flag --port: must be a port number from 0 to 65535");
        c.port = static_cast<std::uint16_t>(*flags.port);
    }
    if (flags.sts_endpoint_override) c.sts_endpoint_override = *flags.sts_endpoint_override;
    if (flags.sts_ca_cert) c.sts_ca_cert_file = *flags.sts_ca_cert;
    if (flags.region) c.region = *flags.region;
    if (flags.aws_auth_path) c.aws_auth_path = *flags.aws_auth_path;
    if (flags.sts_timeout) {
        auto timeout = config::parse_duration(*flags.sts_timeout);
        if (!timeout) return fail("flag --sts-timeout: " + timeout.error());
        c.sts_timeout = *timeout;
    }

    if (globals.feature_gates) {
        if (auto applied = config::apply_feature_gates(*globals.feature_gates, c, parsed.warnings); !applied) {
            return fail("flag --feature-gates: " + applied.error());
        }
    }
    if (flags.kubeconfig || flags.master) {
        parsed.warnings.push_back("--kubeconfig/--master: only used by backends this build does not have yet; ignored");
    }
    if (flags.ec2_qps) c.ec2_describe_instances_qps = *flags.ec2_qps;
    if (flags.ec2_burst) c.ec2_describe_instances_burst = *flags.ec2_burst;

    auto valid = config::validate(c);
    if (!valid) return fail(valid.error());
    return parsed;
}

int run_server(const GlobalFlags& globals, const ServerFlags& flags) {
    auto loaded = load_config(globals, flags);
    if (!loaded) return startup_error(loaded.error());
    const config::ServerConfig& c = loaded->config;

    app::Logger log(c.log_format == "json" ? app::LogFormat::Json : app::LogFormat::Text, c.log_verbosity);
    log.info("starting aws-iam-authenticator", {{"version", build_info::kVersion}, {"commit", build_info::kGitCommit}});
    for (const std::string& warning : loaded->warnings) log.warn("configuration warning", {{"problem", warning}});

    auto validator = token::TokenValidator::create(
        {.cluster_id = c.cluster_id, .partition = c.partition, .region = c.region});
    if (!validator) return startup_error("config key server.region: " + validator.error());

    // Upstream logs the configured mappings at start; so do we (the file's).
    for (const auto& role : c.mappings.roles) {
        log.info("mapping IAM role", {{"arn", role.arn}, {"username", role.username}, {"groups", app::list_field(role.groups)}});
    }
    for (const auto& user : c.mappings.users) {
        log.info("mapping IAM user", {{"arn", user.arn}, {"username", user.username}, {"groups", app::list_field(user.groups)}});
    }
    for (const auto& account : c.mappings.accounts) log.info("mapping IAM Account", {{"accountid", account}});

    const std::string advertised = config::advertised_host(c);
    std::vector<std::string> hosts = {advertised, "localhost", "127.0.0.1"};
    if (c.address != "0.0.0.0" && c.address != "::") hosts.push_back(c.address);
    std::sort(hosts.begin(), hosts.end());
    hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
    auto certificate = app::ensure_certificate(c.state_dir, hosts);
    if (!certificate) return startup_error("config key server.stateDir: " + certificate.error());
    log.info(certificate->generated ? "generated a new certificate" : "reusing certificate",
             {{"cert", certificate->cert_path}, {"key", certificate->key_path}});

    auto server_tls = net::make_server_tls(certificate->cert_path, certificate->key_path);
    if (!server_tls) return startup_error(server_tls.error());
    auto sts_tls = net::make_client_tls(c.sts_ca_cert_file);
    if (!sts_tls) return startup_error("config key server.stsCACertFile: " + sts_tls.error());

    net::StsClientOptions sts_options;
    sts_options.timeout = c.sts_timeout;
    if (!c.sts_endpoint_override.empty()) {
        const auto endpoint = config::parse_endpoint_url(c.sts_endpoint_override);  // validated already
        sts_options.override_host = endpoint->host;
        sts_options.override_port = endpoint->port;
        log.info("sending every STS request to an override endpoint", {{"endpoint", c.sts_endpoint_override}});
    }

    app::Metrics metrics;
    // The server's own AWS calls (EC2 lookups): set up on first use.
    app::AwsSession aws({.region = c.region,
                         .ec2_role_arn = c.ec2_describe_instances_role_arn,
                         .source_arn = c.source_arn,
                         .ec2_qps = c.ec2_describe_instances_qps,
                         .ec2_burst = c.ec2_describe_instances_burst},
                        app::AwsEnvironment::from_process(), log, metrics);

    // Mapping sources load before the server listens, then follow their files.
    app::MappingSources mappings(app::source_specs(c, globals.config_file), c.mappings, log, metrics);
    mappings.load_all();
    mappings.start();

    const app::AuthenticatorContext context{
        std::move(validator).value(),
        &mappings,
        {.scrubbed_accounts = {c.scrubbed_accounts.begin(), c.scrubbed_accounts.end()}},
        &aws,
        &metrics,
        &log,
    };

    net::HttpServerOptions options;
    options.address = c.address;
    options.port = c.port;
    options.threads = flags.threads;
    net::HttpServer server(
        options, *server_tls,
        [&](net::asio::io_context& io) {
            return std::make_shared<app::WebhookHandler>(context, std::make_unique<net::HttpClient>(io, *sts_tls),
                                                         sts_options);
        },
        [&log](std::string_view client, std::string_view problem) {
            log.debug("connection problem", {{"client", std::string(client)}, {"problem", std::string(problem)}});
        });

    // SIGINT/SIGTERM stop the server. Installed before anything announces
    // readiness, so a supervisor's early signal is never fatal.
    net::asio::io_context signal_io;
    boost::asio::signal_set signals(signal_io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        log.info("shutting down", {{"signal", std::to_string(signal_number)}});
        server.stop();
    });
    std::thread signal_thread([&signal_io] { signal_io.run(); });
    struct JoinSignalThread {
        net::asio::io_context& io;
        std::thread& thread;
        ~JoinSignalThread() {
            io.stop();
            thread.join();
        }
    } join_signal_thread{signal_io, signal_thread};

    auto port = server.listen();
    if (!port) return startup_error(port.error());
    const std::string url = app::webhook_url(advertised, *port);
    if (!c.kubeconfig_pregenerated) {
        auto written = app::write_webhook_kubeconfig(c.generate_kubeconfig, url, certificate->cert_pem);
        if (!written) return startup_error("config key server.generateKubeconfig: " + written.error());
        log.info("writing webhook kubeconfig file", {{"kubeconfigPath", c.generate_kubeconfig}});
        log.info("configure your kube-apiserver with",
                 {{"flag", "--authentication-token-webhook-config-file=" + c.generate_kubeconfig}});
    }
    log.info("listening", {{"address", c.address}, {"port", std::to_string(*port)}, {"url", url},
                           {"threads", std::to_string(flags.threads)}});

    server.run();
    log.info("stopped");
    return 0;
}

}  // namespace

void add_server_command(CLI::App& app, const GlobalFlags& globals, int& exit_status) {
    auto flags = std::make_shared<ServerFlags>();
    CLI::App* command =
        app.add_subcommand("server", "Run a webhook validation server that validates tokens using AWS IAM");
    command->add_option("--partition", flags->partition, "AWS partition: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc (default aws)");
    command->add_option("--generate-kubeconfig", flags->generate_kubeconfig,
                        "Where to write the webhook kubeconfig for kube-apiserver (default /etc/kubernetes/aws-iam-authenticator/kubeconfig.yaml)");
    // A Go-style boolean flag: --kubeconfig-pregenerated or --kubeconfig-pregenerated=false.
    flags->kubeconfig_pregenerated_flag = command->add_flag(
        "--kubeconfig-pregenerated", flags->kubeconfig_pregenerated,
        "The webhook kubeconfig was written by `init`; do not rewrite it");
    command->add_option("--state-dir", flags->state_dir, "Directory for the certificate and key (default /var/aws-iam-authenticator)");
    command->add_option("--address", flags->address, "IP address to listen on (default 127.0.0.1)");
    command->add_option("--port", flags->port, "Port to listen on (default 21362; 0 picks a free port)");
    command->add_option("--backend-mode", flags->backend_mode,
                        "Ordered, comma-separated mapping sources: MountedFile (alias File), EKSConfigMapFile, DynamicFile "
                        "(default MountedFile)")
        ->delimiter(',');
    command->add_option("--sts-endpoint-override", flags->sts_endpoint_override,
                        "Send every STS request to https://host[:port] instead of the token's host (Host header and signature unchanged)");
    command->add_option("--sts-ca-cert", flags->sts_ca_cert, "CA bundle to verify STS with (default: the system store)");
    command->add_option("--sts-timeout", flags->sts_timeout, "Deadline for one STS exchange, e.g. 10s (default 10s)");
    command->add_option("--region", flags->region, "This server's AWS region: accepted as an STS region even if its name is new");
    command->add_option("--aws-auth-path", flags->aws_auth_path,
                        "aws-auth ConfigMap manifest, or mounted ConfigMap directory, for backend mode EKSConfigMapFile");
    command->add_option("--threads", flags->threads, "Worker threads (default: one per core)")->check(CLI::Range(1, 256));
    command->add_option("--kubeconfig", flags->kubeconfig, "Upstream's API server kubeconfig (not used by this build)");
    command->add_option("--master", flags->master, "Upstream's API server URL (not used by this build)");
    command->add_option("--ec2-describeInstances-qps", flags->ec2_qps,
                        "EC2 DescribeInstances calls per second for {{EC2PrivateDNSName}} (default 15)");
    command->add_option("--ec2-describeInstances-burst", flags->ec2_burst,
                        "EC2 DescribeInstances calls allowed in a burst (default 5)");
    command->callback([&globals, &exit_status, flags] { exit_status = run_server(globals, *flags); });
}

}  // namespace aia::cli
