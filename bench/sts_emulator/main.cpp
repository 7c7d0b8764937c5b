// sts-emulator: emulated AWS endpoints for the integration tests, the demo
// and the bench, as strict as AWS about signatures (see emulator_handler.hpp):
// STS (presigned GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity)
// and EC2 DescribeInstances over HTTPS, and with --http-port the instance
// metadata (IMDSv2) and container credential endpoints over plain HTTP.
// Loopback only unless told otherwise.
//
// Prints "listening on https://<address>:<port>", "ca <cert.pem>" and, with
// --http-port, "metadata on http://<address>:<port>" on stdout once ready,
// so a test can start it on port 0 and read them.

#include <CLI/CLI.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

#include "app/file_reading.hpp"
#include "app/state_files.hpp"
#include "core/config/server_config.hpp"
#include "net/http_server.hpp"
#include "net/tls_context.hpp"
#include "sts_emulator/emulator_handler.hpp"

namespace {

int fail_with(const std::string& message) {
    std::fprintf(stderr, "sts-emulator: %s\n", message.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace aia;
    CLI::App app{"sts-emulator: presigned STS GetCallerIdentity, verified like STS"};
    std::string address = "127.0.0.1", identities_file, state_dir, latency = "0ms", jitter = "0ms",
                fail_mode = "throttle";
    unsigned port = 0, threads = 1;
    int http_port = -1;
    std::string credential_lifetime = "15m";
    double fail_rate = 0, ec2_throttle_rate = 0;
    bool log_requests = false;
    std::vector<std::string> tls_names;
    app.add_option("--address", address, "IP address to listen on (default 127.0.0.1)");
    app.add_option("--port", port, "Port (default 0: a free one)");
    app.add_option("--identities", identities_file,
                   "JSON fixture: identities, roles, web identity tokens, instances (see world.hpp)")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--http-port", http_port,
                   "Also serve instance metadata and container credentials over plain HTTP (0: a free port)");
    app.add_option("--credential-lifetime", credential_lifetime,
                   "Lifetime of the temporary credentials handed out, e.g. 15m, 10s");
    app.add_option("--ec2-throttle-rate", ec2_throttle_rate,
                   "Share of DescribeInstances calls answered RequestLimitExceeded")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--state-dir", state_dir, "Where to keep the emulator's TLS certificate and key")->required();
    app.add_option("--tls-name", tls_names,
                   "Also name this host in the certificate (repeatable), to stand in for an AWS host by DNS, "
                   "e.g. sts.us-west-2.amazonaws.com");
    app.add_option("--latency", latency, "Delay before each STS answer, e.g. 20ms");
    app.add_option("--jitter", jitter, "Extra random delay up to this, e.g. 5ms");
    app.add_option("--fail-rate", fail_rate, "Share of requests to fail on purpose, 0 to 1")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fail-mode", fail_mode, "How to fail: throttle (400 Throttling) or error (500 InternalFailure)")
        ->check(CLI::IsMember({"throttle", "error"}));
    app.add_option("--threads", threads, "Worker threads")->check(CLI::Range(1, 64));
    app.add_flag("--log-requests", log_requests, "Log connection problems to stderr");
    CLI11_PARSE(app, argc, argv);

    auto text = app::read_file(identities_file, app::kMaxConfigFileBytes);
    if (!text) return fail_with(text.error().message);
    auto lifetime = config::parse_duration(credential_lifetime);
    if (!lifetime) return fail_with("invalid --credential-lifetime");
    auto world = bench::World::parse(*text, std::chrono::duration_cast<std::chrono::seconds>(*lifetime));
    if (!world) return fail_with(identities_file + ": " + world.error());

    bench::EmulatorBehaviour behaviour;
    auto parsed_latency = config::parse_duration(latency);
    auto parsed_jitter = config::parse_duration(jitter);
    if (!parsed_latency || !parsed_jitter) return fail_with("invalid --latency or --jitter");
    behaviour.latency = *parsed_latency;
    behaviour.jitter = *parsed_jitter;
    behaviour.failure_rate = fail_rate;
    behaviour.failure = fail_mode == "error" ? bench::EmulatorBehaviour::Failure::InternalError
                                             : bench::EmulatorBehaviour::Failure::Throttle;
    behaviour.ec2_throttle_rate = ec2_throttle_rate;

    std::vector<std::string> certificate_names = {"localhost", "127.0.0.1", "::1", address};
    certificate_names.insert(certificate_names.end(), tls_names.begin(), tls_names.end());
    auto certificate = app::ensure_certificate(state_dir, {.hosts = certificate_names});
    if (!certificate) return fail_with(certificate.error());
    auto tls = net::make_server_tls(certificate->cert_path, certificate->key_path);
    if (!tls) return fail_with(tls.error());

    bench::EmulatorCounters counters;
    net::HttpServer* server_ptr = nullptr;
    net::HttpServerOptions options;
    options.address = address;
    options.port = static_cast<std::uint16_t>(port);
    options.threads = threads;
    net::HttpServer server(
        options, *tls,
        [&](net::asio::io_context& io) {
            return std::make_shared<bench::EmulatorHandler>(
                io, **world, behaviour, counters, [&server_ptr] { return server_ptr->connections_accepted(); });
        },
        [log_requests](std::string_view client, std::string_view problem) {
            if (log_requests)
                std::fprintf(stderr, "sts-emulator: %.*s: %.*s\n", int(client.size()), client.data(),
                             int(problem.size()), problem.data());
        });
    server_ptr = &server;

    // The metadata endpoints: plain HTTP, one handler shared by all workers.
    std::unique_ptr<net::HttpServer> metadata;
    std::uint16_t metadata_port = 0;
    if (http_port >= 0) {
        auto handler = std::make_shared<bench::MetadataHandler>(**world, counters);
        net::HttpServerOptions metadata_options;
        metadata_options.address = address;
        metadata_options.port = static_cast<std::uint16_t>(http_port);
        metadata = std::make_unique<net::HttpServer>(
            metadata_options, nullptr, [handler](net::asio::io_context&) { return handler; },
            [](std::string_view, std::string_view) {});
        auto bound_metadata = metadata->listen();
        if (!bound_metadata) return fail_with(bound_metadata.error());
        metadata_port = *bound_metadata;
    }

    net::asio::io_context signal_io;
    boost::asio::signal_set signals(signal_io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        server.stop();
        if (metadata) metadata->stop();
    });
    std::thread signal_thread([&signal_io] { signal_io.run(); });

    auto bound = server.listen();
    if (!bound) {
        signal_io.stop();
        signal_thread.join();
        return fail_with(bound.error());
    }

    const bool ipv6 = address.find(':') != std::string::npos;
    const std::string host = ipv6 ? "[" + address + "]" : address;
    std::printf("listening on https://%s:%u\nca %s\nidentities %zu\n", host.c_str(), unsigned(*bound),
                certificate->cert_path.c_str(), (*world)->identity_count());
    if (metadata) std::printf("metadata on http://%s:%u\n", host.c_str(), unsigned(metadata_port));
    std::fflush(stdout);
    std::thread metadata_thread;
    if (metadata) metadata_thread = std::thread([&metadata] { metadata->run(); });
    server.run();
    if (metadata) {
        metadata->stop();
        metadata_thread.join();
    }
    signal_io.stop();
    signal_thread.join();
    return 0;
}
