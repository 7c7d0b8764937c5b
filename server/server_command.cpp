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
#include <atomic>
#include <functional>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "app/authenticator.hpp"
#include "app/certificate_reloader.hpp"
#include "app/identity_cache.hpp"
#include "app/aws/aws_session.hpp"
#include "app/logger.hpp"
#include "app/mapping_sources.hpp"
#include "app/metrics.hpp"
#include "app/state_files.hpp"
#include "app/webhook_handler.hpp"
#include "build_info.hpp"
#include "commands.hpp"
#include "server_flags.hpp"
#include "core/config/server_config.hpp"
#include "net/http_server.hpp"
#include "net/sts_client.hpp"
#include "net/tls_context.hpp"

namespace aia::cli {
namespace {

int run_server(const GlobalFlags& globals, const ServerFlags& flags) {
    auto loaded = load_server_config(globals, flags);
    if (!loaded) return startup_error(loaded.error());
    const config::ServerConfig& c = loaded->config;

    app::Logger log(c.log_format == "json" ? app::LogFormat::Json : app::LogFormat::Text, c.log_verbosity);
    log.info("starting aws-iam-authenticator", {{"version", build_info::kVersion}, {"commit", build_info::kGitCommit}});
    for (const std::string& warning : loaded->warnings) log.warn("configuration warning", {{"problem", warning}});

    auto validator = token::TokenValidator::create(
        {.cluster_id = c.cluster_id, .partition = c.partition, .region = c.region, .sts_regions = c.sts_regions});
    if (!validator) return startup_error(validator.error());

    // Upstream logs the configured mappings at start; so do we (the file's).
    for (const auto& role : c.mappings.roles) {
        log.info("mapping IAM role",
                 {{"arn", role.arn}, {"username", role.username}, {"groups", app::list_field(role.groups)}});
    }
    for (const auto& user : c.mappings.users) {
        log.info("mapping IAM user",
                 {{"arn", user.arn}, {"username", user.username}, {"groups", app::list_field(user.groups)}});
    }
    for (const auto& account : c.mappings.accounts) log.info("mapping IAM Account", {{"accountid", account}});

    const std::string advertised = config::advertised_host(c);
    auto certificate = app::ensure_certificate(
        c.state_dir,
        {.hosts = certificate_hosts(c), .webhook_host = advertised, .pregenerated = c.kubeconfig_pregenerated});
    if (!certificate) return startup_error("serving certificate: " + certificate.error());
    log.info(certificate->renewed     ? "renewed the certificate, which was about to expire"
             : certificate->generated ? "generated a new certificate"
                                      : "reusing certificate",
             {{"cert", certificate->cert_path}, {"key", certificate->key_path}});
    for (const std::string& warning : certificate->warnings) log.warn("serving certificate", {{"problem", warning}});

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
    metrics.set_build_info(build_info::kVersion, build_info::kGitCommit);
    // Only admitted regions get their own StsRegion label.
    metrics.set_sts_regions(validator->region_policy().admitted_regions());
    if (!c.sts_regions.empty()) {
        log.info("accepting STS regions newer than this build",
                 {{"stsRegions", app::list_field(validator->region_policy().listed())}});
    }
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

    app::StsSlots sts_slots(c.max_inflight_sts_requests);
    // One resolver for every worker's STS calls: lookups run concurrently,
    // failures are remembered, the home hosts resolve first.
    const auto resolver = std::make_shared<net::HostResolver>();
    app::IdentityCache identity_cache({.ttl = c.identity_cache_ttl,
                                       .max_entries = c.identity_cache_max_entries,
                                       .max_bytes = c.identity_cache_max_bytes,
                                       .wait_for_other = c.sts_timeout + std::chrono::seconds{1}},
                                      metrics);
    if (identity_cache.enabled()) {
        log.info("identity cache on", {{"ttl", std::to_string(c.identity_cache_ttl.count()) + "ms"},
                                       {"maxEntries", std::to_string(c.identity_cache_max_entries)},
                                       {"maxBytes", std::to_string(c.identity_cache_max_bytes)}});
    }
    const app::AuthenticatorContext context{
        std::move(validator).value(),
        &mappings,
        {.scrubbed_accounts = {c.scrubbed_accounts.begin(), c.scrubbed_accounts.end()}},
        &aws,
        &sts_slots,
        &identity_cache,
        &metrics,
        &log,
    };

    net::HttpServerOptions options;
    options.address = c.address;
    options.port = c.port;
    options.threads = flags.threads;
    options.handshake_timeout = c.tls_handshake_timeout;
    options.idle_timeout = c.idle_timeout;
    options.read_header_timeout = c.read_header_timeout;
    options.body_timeout = c.read_body_timeout;
    options.write_timeout = c.write_timeout;
    options.max_connections = c.max_connections;
    options.max_requests_per_connection = c.max_requests_per_connection;
    options.on_connection_cut = [&metrics](net::ConnectionCut why) {
        if (why == net::ConnectionCut::OverLimit)
            metrics.connection_refused();
        else
            metrics.connection_timed_out(net::to_string(why));
    };
    options.request_timeout = c.request_timeout;
    options.on_request_timeout = [&metrics, &log, timeout = c.request_timeout](std::string_view client) {
        metrics.request_timed_out();
        log.warn("no answer within server.requestTimeout; answered 503",
                 {{"client", std::string(client)}, {"requestTimeout", std::to_string(timeout.count()) + "ms"}});
    };
    if (const auto not_after = net::certificate_not_after(**server_tls)) {
        metrics.certificate_expires_at(static_cast<double>(*not_after));
    }
    net::HttpServer server(
        options, *server_tls,
        [&](net::asio::io_context& io) {
            return std::make_shared<app::WebhookHandler>(
                context, std::make_unique<net::HttpClient>(io, *sts_tls, net::HttpClientOptions{.resolver = resolver}),
                sts_options);
        },
        [&log](std::string_view client, std::string_view problem) {
            log.debug("connection problem", {{"client", std::string(client)}, {"problem", std::string(problem)}});
        });

    // The serving certificate follows its files once the server listens.
    std::atomic<app::CertificateReloader*> certificates{nullptr};

    // SIGTERM/SIGINT: a graceful shutdown (a second one: stop now). SIGHUP:
    // re-read the mapping sources and the certificate now. Installed before
    // anything announces readiness, so a supervisor's early signal is never fatal.
    net::asio::io_context signal_io;
    boost::asio::signal_set signals(signal_io, SIGINT, SIGTERM, SIGHUP);
    bool shutting_down = false;  // signal thread only
    std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                               int signal_number) {
        if (ec) return;
        if (signal_number == SIGHUP) {
            log.info("reloading on SIGHUP: mapping sources and serving certificate");
            mappings.reload_now();
            if (auto* reloader = certificates.load()) reloader->reload_now();
        } else if (!shutting_down) {
            shutting_down = true;
            log.info("shutting down: no new connections; requests in progress may finish",
                     {{"signal", std::to_string(signal_number)},
                      {"gracePeriod", std::to_string(c.shutdown_grace_period.count()) + "ms"}});
            server.shutdown(c.shutdown_grace_period);
        } else {
            log.info("second signal: stopping now", {{"signal", std::to_string(signal_number)}});
            server.stop();
        }
        signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);
    std::thread signal_thread([&signal_io] { signal_io.run(); });
    struct JoinSignalThread {
        net::asio::io_context& io;
        std::thread& thread;
        ~JoinSignalThread() {
            io.stop();
            thread.join();
        }
    } join_signal_thread{signal_io, signal_thread};

    if (!net::is_ip_address(c.address))
        return startup_error("config key server.address: \"" + c.address + "\" is not an IP address");
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
    app::CertificateReloader certificate_reloader(
        certificate->cert_path, certificate->key_path, advertised,
        [&](std::shared_ptr<boost::asio::ssl::context> tls, const std::string& cert_pem) {
            server.set_tls(std::move(tls));
            // kube-apiserver trusts what the kubeconfig names: keep it current.
            if (c.kubeconfig_pregenerated) return;
            if (auto written = app::write_webhook_kubeconfig(c.generate_kubeconfig, url, cert_pem); !written) {
                log.error("cannot rewrite the webhook kubeconfig for the new certificate",
                          {{"reason", written.error()}});
            }
        },
        log, metrics);
    certificate_reloader.start();
    certificates = &certificate_reloader;
    struct ForgetReloader {
        std::atomic<app::CertificateReloader*>& pointer;
        ~ForgetReloader() { pointer = nullptr; }
    } forget_reloader{certificates};

    log.info("listening", {{"address", c.address},
                           {"port", std::to_string(*port)},
                           {"url", url},
                           {"threads", std::to_string(flags.threads)}});
    // Serving: access lines leave in batches from their own thread.
    log.start_writer_thread();

    server.run();
    if (const std::size_t abandoned = server.abandoned_connections(); abandoned > 0) {
        log.warn("shutdown grace period over; connections with requests in progress were closed",
                 {{"connections", std::to_string(abandoned)},
                  {"gracePeriod", std::to_string(c.shutdown_grace_period.count()) + "ms"}});
    }
    log.info("stopped");
    return 0;
}

}  // namespace

void add_server_command(CLI::App& app, const GlobalFlags& globals, int& exit_status) {
    auto flags = std::make_shared<ServerFlags>();
    CLI::App* command =
        app.add_subcommand("server", "Run a webhook validation server that validates tokens using AWS IAM");
    add_server_flags(*command, *flags);
    command->callback([&globals, &exit_status, flags] { exit_status = run_server(globals, *flags); });
}

}  // namespace aia::cli
