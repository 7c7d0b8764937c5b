#include "app/server_runtime.hpp"

#include <algorithm>
#include <optional>
#include <thread>

#include "app/authenticator.hpp"
#include "app/aws/aws_session.hpp"
#include "app/backend_mode_follower.hpp"
#include "app/certificate_reloader.hpp"
#include "app/file_follower.hpp"
#include "app/memory_trimmer.hpp"
#include "app/health_routes.hpp"
#include "app/identity_cache.hpp"
#include "app/kube/api_mapping_sources.hpp"
#include "app/kube/kube_settings.hpp"
#include "app/logger.hpp"
#include "app/mapping_sources.hpp"
#include "app/metrics.hpp"
#include "app/signal_control.hpp"
#include "app/state_files.hpp"
#include "app/sts_slots.hpp"
#include "app/webhook_handler.hpp"
#include "core/config/listen_address.hpp"
#include "net/http_server.hpp"
#include "net/sts_client.hpp"
#include "net/tls_context.hpp"

#include <atomic>
#include <cstdint>

namespace aia::app {
namespace {

std::string milliseconds(std::chrono::milliseconds value) { return std::to_string(value.count()) + "ms"; }

LogFormat log_format(const config::ServerConfig& c) {
    return c.log_format == "json" ? LogFormat::Json : LogFormat::Text;
}

// Upstream logs the configured mappings at start; so do we (the file's).
void log_mappings(Logger& log, const mapping::MappingConfig& mappings) {
    for (const auto& role : mappings.roles) {
        log.info("mapping IAM role",
                 {{"arn", role.arn}, {"username", role.username}, list_field("groups", role.groups)});
    }
    for (const auto& user : mappings.users) {
        log.info("mapping IAM user",
                 {{"arn", user.arn}, {"username", user.username}, list_field("groups", user.groups)});
    }
    for (const auto& account : mappings.accounts) log.info("mapping IAM Account", {{"accountid", account}});
}

net::StsClientOptions sts_client_options(const config::ServerConfig& c, Logger& log) {
    net::StsClientOptions options;
    options.timeout = c.sts_timeout;
    if (!c.sts_endpoint_override.empty()) {
        const auto endpoint = config::parse_endpoint_url(c.sts_endpoint_override);  // validated already
        options.override_host = endpoint->host;
        options.override_port = endpoint->port;
        log.info("sending every STS request to an override endpoint", {{"endpoint", c.sts_endpoint_override}});
    }
    return options;
}

// The settings the HTTPS server takes, in its own terms.
net::HttpServerOptions http_server_options(const config::ServerConfig& c, unsigned threads, Metrics& metrics,
                                           Logger& log) {
    net::HttpServerOptions options;
    options.address = c.address;
    options.port = c.port;
    options.threads = threads;
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
                 {{"client", std::string(client)}, {"requestTimeout", milliseconds(timeout)}});
    };
    return options;
}

// The plain-HTTP health listener: probes only, so a handful of connections
// and no metrics of its own (it would blur the webhook's).
net::HttpServerOptions health_server_options(const config::ServerConfig& c, const config::ListenAddress& at) {
    net::HttpServerOptions options;
    options.address = at.host;
    options.port = at.port;
    options.threads = 1;
    options.max_connections = 64;
    options.body_limit = 4 * 1024;
    options.handshake_timeout = c.tls_handshake_timeout;
    options.idle_timeout = c.idle_timeout;
    options.read_header_timeout = c.read_header_timeout;
    options.body_timeout = c.read_body_timeout;
    options.write_timeout = c.write_timeout;
    return options;
}

// The one thread that follows the mapping sources' and the certificate's files.
std::unique_ptr<FileFollower> make_follower(Logger& log) {
    auto follower = std::make_unique<FileFollower>();
    if (!follower->watching()) {
        log.warn("inotify is not available; followed files are re-read every second instead",
                 {{"interval", std::to_string(kPollInterval.count()) + "s"}});
    }
    return follower;
}

}  // namespace

std::vector<std::string> certificate_hosts(const config::ServerConfig& c) {
    std::vector<std::string> hosts = {config::advertised_host(c), "localhost", "127.0.0.1"};
    if (c.address != "0.0.0.0" && c.address != "::") hosts.push_back(c.address);
    std::sort(hosts.begin(), hosts.end());
    hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
    return hosts;
}

// Declared in start order; destroyed in reverse (signals first, the logger last).
struct ServerRuntime::Parts {
    explicit Parts(const config::ServerConfig& c) : log(log_format(c), c.log_verbosity) {}

    Logger log;
    Metrics metrics;
    std::unique_ptr<AwsSession> aws;
    std::unique_ptr<MappingSources> mappings;
    std::unique_ptr<ApiMappingSources> api_mappings;     // made when a source kept in the Kubernetes API first runs
    std::unique_ptr<BackendModeFollower> backend_modes;  // null without server.dynamicBackendModePath
    std::unique_ptr<StsSlots> sts_slots;
    std::shared_ptr<net::HostResolver> resolver;
    std::unique_ptr<IdentityCache> identity_cache;
    std::unique_ptr<AuthenticatorContext> context;
    std::optional<CertificateFiles> certificate;
    std::shared_ptr<boost::asio::ssl::context> server_tls;
    std::shared_ptr<boost::asio::ssl::context> sts_tls;
    net::StsClientOptions sts_options;
    // Pooled STS connections closed for their age: memory the trimmer may give back.
    std::atomic<std::uint64_t> sts_connections_expired{0};
    std::string advertised;  // the host the webhook kubeconfig names
    std::string url;         // set once listening; read by the certificate reloader's thread after that
    std::uint16_t port = 0;
    std::unique_ptr<net::HttpServer> server;
    std::unique_ptr<net::HttpServer> health_server;  // null when off or it could not listen
    std::thread health_thread;                       // runs health_server while serve() runs
    std::unique_ptr<CertificateReloader> certificate_reloader;
    // Calls the mapping sources and the certificate reloader from its thread:
    // made before them, but stopped (destroyed) before they go.
    std::unique_ptr<FileFollower> follower;
    std::unique_ptr<SignalControl> signals;
};

ServerRuntime::ServerRuntime(ServerRuntimeInputs inputs)
    : inputs_(std::move(inputs)), parts_(std::make_unique<Parts>(inputs_.config)) {}

ServerRuntime::~ServerRuntime() = default;

Result<bool, std::string> ServerRuntime::start() {
    if (auto started = start_parts(); !started) return started;
    create_http_server();
    return start_serving();
}

void ServerRuntime::log_start() {
    const config::ServerConfig& c = inputs_.config;
    Logger& log = parts_->log;
    log.info("starting aws-iam-authenticator", {{"version", inputs_.version}, {"commit", inputs_.commit}});
    for (const std::string& warning : inputs_.config_warnings)
        log.warn("configuration warning", {{"problem", warning}});
    log_mappings(log, c.mappings);
    // Upstream's default host, on an address it does not reach.
    const bool loopback = c.address.starts_with("127.") || c.address == "::1";
    const bool everywhere = c.address == "0.0.0.0" || c.address == "::";
    if (config::advertised_host(c) == "localhost" && !loopback && !everywhere) {
        log.warn(
            "the webhook kubeconfig names localhost, which is not the address the server listens on; set "
            "server.hostname to a name of that address",
            {{"address", c.address}});
    }
}

// The parts that need no socket: validator, certificate, TLS settings, AWS
// session, mapping sources (loaded before anything listens), STS slots and
// the identity cache.
Result<bool, std::string> ServerRuntime::start_parts() {
    const config::ServerConfig& c = inputs_.config;
    Parts& p = *parts_;
    log_start();
    auto validator = token::TokenValidator::create(
        {.cluster_id = c.cluster_id, .partition = c.partition, .region = c.region, .sts_regions = c.sts_regions});
    if (!validator) return fail(validator.error());
    if (auto ready = start_tls(); !ready) return ready;

    p.metrics.set_build_info(inputs_.version, inputs_.commit);
    // Only admitted regions get their own StsRegion label.
    p.metrics.set_sts_regions(validator->region_policy().admitted_regions());
    if (!c.sts_regions.empty()) {
        p.log.info("accepting STS regions newer than this build",
                   {list_field("stsRegions", validator->region_policy().listed())});
    }
    if (const auto not_after = net::certificate_not_after(*p.server_tls))
        p.metrics.certificate_expires_at(static_cast<double>(*not_after));

    // The server's own AWS calls (EC2 lookups): set up on first use.
    p.aws = std::make_unique<AwsSession>(AwsSessionOptions{.region = c.region,
                                                           .ec2_role_arn = c.ec2_describe_instances_role_arn,
                                                           .source_arn = c.source_arn,
                                                           .ec2_qps = c.ec2_describe_instances_qps,
                                                           .ec2_burst = c.ec2_describe_instances_burst},
                                         AwsEnvironment::from_process(), p.log, p.metrics);
    if (auto started = start_mappings(); !started) return started;
    start_sts_parts();
    p.context = std::make_unique<AuthenticatorContext>(AuthenticatorContext{
        std::move(validator).value(),
        p.mappings.get(),
        {.scrubbed_accounts = {c.scrubbed_accounts.begin(), c.scrubbed_accounts.end()}},
        p.aws.get(),
        p.sts_slots.get(),
        p.identity_cache.get(),
        &p.metrics,
        &p.log,
    });
    return true;
}

// The serving certificate (made or renewed if need be), its TLS context, and
// the client TLS settings for STS.
Result<bool, std::string> ServerRuntime::start_tls() {
    const config::ServerConfig& c = inputs_.config;
    Parts& p = *parts_;
    p.advertised = config::advertised_host(c);
    auto certificate = ensure_certificate(
        c.state_dir,
        {.hosts = certificate_hosts(c), .webhook_host = p.advertised, .pregenerated = c.kubeconfig_pregenerated});
    if (!certificate) return fail("serving certificate: " + certificate.error());
    p.log.info(certificate->renewed     ? "renewed the certificate, which was about to expire"
               : certificate->generated ? "generated a new certificate"
                                        : "reusing certificate",
               {{"cert", certificate->cert_path}, {"key", certificate->key_path}});
    for (const std::string& warning : certificate->warnings) p.log.warn("serving certificate", {{"problem", warning}});
    p.certificate = std::move(certificate).value();

    auto server_tls = net::make_server_tls(p.certificate->cert_path, p.certificate->key_path);
    if (!server_tls) return fail(server_tls.error());
    p.server_tls = std::move(server_tls).value();
    auto sts_tls = net::make_client_tls(c.sts_ca_cert_file);
    if (!sts_tls) return fail("config key server.stsCACertFile: " + sts_tls.error());
    p.sts_tls = std::move(sts_tls).value();
    p.sts_options = sts_client_options(c, p.log);
    return true;
}

// Mapping sources load before the server listens, then follow their files
// (watched from now on; the follower starts once serving).
// Sources in the Kubernetes API load on their own thread from here on; until
// they have, /readyz says not ready and the other sources answer. With
// server.dynamicBackendModePath, every source the configuration can build is
// made ready to run, and the file chooses the chain.
Result<bool, std::string> ServerRuntime::start_mappings() {
    const config::ServerConfig& c = inputs_.config;
    Parts& p = *parts_;
    const bool switchable = !c.dynamic_backend_mode_path.empty();
    p.mappings = std::make_unique<MappingSources>(
        switchable ? available_specs(c, inputs_.config_file) : source_specs(c, inputs_.config_file), c.mappings, p.log,
        p.metrics);
    p.mappings->set_api_source_starter([this](std::string_view source) { return start_api_source(source); });
    if (auto chain = p.mappings->set_chain(c.backend_mode); !chain) return fail(chain.error());
    p.follower = make_follower(p.log);
    p.follower->follow(p.mappings->paths(), [&mappings = *p.mappings](bool forced) { return mappings.check(forced); });
    p.mappings->load_all();
    const std::vector<std::string> chain = p.mappings->chain();
    for (const std::string& source : p.mappings->api_sources()) {
        if (std::find(chain.begin(), chain.end(), source) == chain.end()) continue;
        if (auto started = start_api_source(source); !started) return fail("Kubernetes API: " + started.error());
    }
    if (switchable) {
        p.backend_modes = std::make_unique<BackendModeFollower>(c.dynamic_backend_mode_path, p.mappings->chain(),
                                                                *p.mappings, p.log, p.metrics);
        p.backend_modes->load_initial();
        p.follower->follow(p.backend_modes->paths(),
                           [&modes = *p.backend_modes](bool forced) { return modes.check(forced); });
    }
    return true;
}

// The API client, made on first use (at start, or when the backend-mode
// file first names an API source), then one watcher per source.
Result<bool, std::string> ServerRuntime::start_api_source(std::string_view source) {
    Parts& p = *parts_;
    if (!p.api_mappings) {
        auto where = resolve_kube_config(inputs_.config);
        if (!where) return fail(where.error());
        for (const std::string& warning : where->warnings) p.log.warn("Kubernetes API", {{"problem", warning}});
        auto api = ApiMappingSources::create(std::move(where->config), *p.mappings, p.log, p.metrics);
        if (!api) return fail(api.error());
        p.api_mappings = std::move(api).value();
    }
    return p.api_mappings->follow(source);
}

// What STS calls go through: the slots, the shared resolver, the identity cache.
void ServerRuntime::start_sts_parts() {
    const config::ServerConfig& c = inputs_.config;
    Parts& p = *parts_;
    p.sts_slots = std::make_unique<StsSlots>(c.max_inflight_sts_requests);
    // One resolver for every worker's STS calls: lookups run concurrently,
    // failures are remembered, the home hosts resolve first.
    p.resolver = std::make_shared<net::HostResolver>();
    p.identity_cache =
        std::make_unique<IdentityCache>(IdentityCacheOptions{.ttl = c.identity_cache_ttl,
                                                             .max_entries = c.identity_cache_max_entries,
                                                             .max_bytes = c.identity_cache_max_bytes,
                                                             .wait_for_other = c.sts_timeout + std::chrono::seconds{1}},
                                        p.metrics);
    if (p.identity_cache->enabled()) {
        p.log.info("identity cache on", {{"ttl", milliseconds(c.identity_cache_ttl)},
                                         {"maxEntries", std::to_string(c.identity_cache_max_entries)},
                                         {"maxBytes", std::to_string(c.identity_cache_max_bytes)}});
    }
}

void ServerRuntime::create_http_server() {
    Parts& p = *parts_;
    p.server = std::make_unique<net::HttpServer>(
        http_server_options(inputs_.config, inputs_.threads, p.metrics, p.log), p.server_tls,
        [&p](net::asio::io_context& io) {
            net::HttpClientOptions http{.resolver = p.resolver};
            http.on_idle_closed = [&closed = p.sts_connections_expired](std::size_t n) {
                closed.fetch_add(n, std::memory_order_relaxed);
            };
            return std::make_shared<WebhookHandler>(
                *p.context, net::make_sts_client(io, p.sts_tls, std::move(http), p.sts_options));
        },
        [&p](std::string_view client, std::string_view problem) {
            p.log.debug("connection problem", {{"client", std::string(client)}, {"problem", std::string(problem)}});
        });
}

// Signals, the listening socket, the webhook kubeconfig, following the files.
Result<bool, std::string> ServerRuntime::start_serving() {
    const config::ServerConfig& c = inputs_.config;
    Parts& p = *parts_;
    // The reloader takes the files as they are now; it follows them once started.
    p.certificate_reloader = std::make_unique<CertificateReloader>(
        p.certificate->cert_path, p.certificate->key_path, p.advertised,
        [&p, &c](std::shared_ptr<boost::asio::ssl::context> tls, const std::string& cert_pem) {
            p.server->set_tls(std::move(tls));
            // kube-apiserver trusts what the kubeconfig names: keep it current.
            if (c.kubeconfig_pregenerated) return;
            if (auto written = write_webhook_kubeconfig(c.generate_kubeconfig, p.url, cert_pem); !written)
                p.log.error("cannot rewrite the webhook kubeconfig for the new certificate",
                            {{"reason", written.error()}});
        },
        p.log, p.metrics);
    p.follower->follow(p.certificate_reloader->paths(),
                       [&reloader = *p.certificate_reloader](bool forced) { return reloader.check(forced); });
    p.signals = std::make_unique<SignalControl>(SignalHandlers{
        .reload =
            [&p] {
                p.log.info("reloading on SIGHUP: mapping sources and serving certificate");
                p.follower->reload_now();
            },
        .shutdown =
            [&p, grace = c.shutdown_grace_period](int signal) {
                p.log.info("shutting down: no new connections; requests in progress may finish",
                           {{"signal", std::to_string(signal)}, {"gracePeriod", milliseconds(grace)}});
                p.server->shutdown(grace);
            },
        .stop_now =
            [&p](int signal) {
                p.log.info("second signal: stopping now", {{"signal", std::to_string(signal)}});
                p.server->stop();
            },
    });

    auto port = p.server->listen();
    if (!port) return fail(port.error());
    p.port = *port;
    p.url = webhook_url(p.advertised, p.port);
    if (!c.kubeconfig_pregenerated) {
        auto written = write_webhook_kubeconfig(c.generate_kubeconfig, p.url, p.certificate->cert_pem);
        if (!written) return fail("config key server.generateKubeconfig: " + written.error());
        p.log.info("writing webhook kubeconfig file", {{"kubeconfigPath", c.generate_kubeconfig}});
        p.log.info("configure your kube-apiserver with",
                   {{"flag", "--authentication-token-webhook-config-file=" + c.generate_kubeconfig}});
    }
    start_health_listener();
    p.follower->start();
    return true;
}

// Upstream's second listener (liveness on :21363, every interface). As
// upstream, failing to listen there is logged and the server serves on:
// the TLS port answers /healthz too.
void ServerRuntime::start_health_listener() {
    Parts& p = *parts_;
    const auto at = config::parse_listen_address(inputs_.config.health_address);  // validated
    if (!at || !*at) return;
    const auto make = [&p](const config::ListenAddress& address, const config::ServerConfig& c) {
        return std::make_unique<net::HttpServer>(
            health_server_options(c, address), nullptr,
            [&p](net::asio::io_context&) { return std::make_shared<HealthHandler>(*p.mappings); },
            [&p](std::string_view client, std::string_view problem) {
                p.log.debug("health connection problem",
                            {{"client", std::string(client)}, {"problem", std::string(problem)}});
            });
    };
    config::ListenAddress address = **at;
    // Every interface: IPv6 and IPv4 both where the host has IPv6, IPv4 otherwise.
    const bool every_interface = address.host.empty();
    if (every_interface) address.host = "::";
    p.health_server = make(address, inputs_.config);
    auto port = p.health_server->listen();
    if (!port && every_interface) {
        address.host = "0.0.0.0";
        p.health_server = make(address, inputs_.config);
        port = p.health_server->listen();
    }
    if (!port) {
        p.log.error("health listener not started; /healthz is still served on the TLS port",
                    {{"healthAddress", inputs_.config.health_address}, {"error", port.error()}});
        p.health_server.reset();
        return;
    }
    p.log.info("health listener", {{"address", address.host}, {"port", std::to_string(*port)}});
}

void ServerRuntime::serve() {
    const config::ServerConfig& c = inputs_.config;
    Parts& p = *parts_;
    p.log.info("listening", {{"address", c.address},
                             {"port", std::to_string(p.port)},
                             {"url", p.url},
                             {"threads", std::to_string(inputs_.threads)}});
    // Serving: access lines leave in batches from their own thread.
    p.log.start_writer_thread();
    if (p.health_server) p.health_thread = std::thread([&p] { p.health_server->run(); });
    MemoryTrimmer trimmer(
        [&p] { return p.server->activity() + p.sts_connections_expired.load(std::memory_order_relaxed); });
    trimmer.start();
    p.server->run();
    trimmer.stop();
    if (p.health_server) {
        p.health_server->stop();
        p.health_thread.join();
    }
    if (const std::size_t abandoned = p.server->abandoned_connections(); abandoned > 0) {
        p.log.warn(
            "shutdown grace period over; connections with requests in progress were closed",
            {{"connections", std::to_string(abandoned)}, {"gracePeriod", milliseconds(c.shutdown_grace_period)}});
    }
    p.log.info("stopped");
}

}  // namespace aia::app
