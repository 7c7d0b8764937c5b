// loadgen: drives an aws-iam-authenticator's POST /authenticate with
// TokenReviews over keep-alive TLS, and reports throughput and latency
// percentiles (table on stdout, JSON with --json). See bench/README.md.

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "app/wall_clock.hpp"
#include "core/config/server_config.hpp"
#include "load_runner.hpp"
#include "net/tls_context.hpp"
#include "report.hpp"

namespace {

using namespace aia;

Result<std::chrono::milliseconds, std::string> duration_flag(const std::string& name, const std::string& text) {
    auto parsed = config::parse_duration(text);
    if (!parsed) return fail(name + ": " + parsed.error());
    return *parsed;
}

// "[ 12s] 61234 done  6123/s  errors 0" once a second on stderr.
class Progress {
public:
    Progress(const bench::LiveCounters& live, bool enabled) : live_(live) {
        if (!enabled) return;
        thread_ = std::thread([this] {
            const auto start = std::chrono::steady_clock::now();
            std::uint64_t last = 0;
            while (!stop_.load()) {
                for (int i = 0; i < 10 && !stop_.load(); ++i)
                    std::this_thread::sleep_for(std::chrono::milliseconds{100});
                const std::uint64_t done = live_.completed.load();
                const auto seconds =
                    std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
                std::fprintf(stderr, "\r[%3llds] %10llu done  %8llu/s  errors %llu   ",
                             static_cast<long long>(seconds.count()), static_cast<unsigned long long>(done),
                             static_cast<unsigned long long>(done - last),
                             static_cast<unsigned long long>(live_.errors.load()));
                last = done;
            }
            std::fprintf(stderr, "\n");
        });
    }
    ~Progress() {
        stop_.store(true);
        if (thread_.joinable()) thread_.join();
    }

private:
    const bench::LiveCounters& live_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"loadgen: load for aws-iam-authenticator's POST /authenticate"};
    std::string url, ca_file, json_file, duration_text = "10s", warmup_text = "0s", timeout_text = "30s";
    bench::TokenPoolOptions tokens;
    bench::LoadOptions load;
    bool progress = isatty(STDERR_FILENO) != 0;
    app.add_option("--url", url, "https://host:port[/path] of the server (path default /authenticate)")->required();
    app.add_option("--ca", ca_file, "CA bundle that verifies the server (its cert.pem)")->required();
    app.add_option("--identities", tokens.identities_file,
                   "Emulator fixture: sign fresh tokens for each of its identities");
    app.add_option("--tokens-file", tokens.tokens_file, "Or: send these tokens (one per line) as they are");
    app.add_option("-i,--cluster-id", tokens.cluster_id, "Cluster ID to sign tokens for");
    app.add_option("--region", tokens.region, "STS region to sign for (default us-west-2)");
    app.add_option("--invalid-ratio", tokens.invalid_ratio, "Share of requests with a token signed with a wrong secret")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("-c,--connections", load.connections, "Keep-alive connections sending requests (default 64)")
        ->check(CLI::Range(1u, 100000u));
    app.add_option("--idle-connections", load.idle_connections, "Extra connections opened and left idle");
    app.add_option("--rate", load.rate, "Open loop: requests per second over all connections (default: closed loop)");
    app.add_option("-d,--duration", duration_text, "How long to measure, e.g. 30s (default 10s)");
    app.add_option("-n,--requests", load.requests, "Or: stop after this many requests");
    app.add_option("--warmup", warmup_text, "Run this long first without recording (default 0s)");
    app.add_option("--timeout", timeout_text, "Per-request deadline (default 30s)");
    app.add_option("-t,--threads", load.threads, "Client threads (default 1)")->check(CLI::Range(1u, 64u));
    app.add_option("--json", json_file, "Also write the results as JSON to this file");
    app.add_flag("--progress,!--no-progress", progress, "One-line progress on stderr (default: when it is a terminal)");
    CLI11_PARSE(app, argc, argv);

    const auto fail_with = [](const std::string& message) {
        std::fprintf(stderr, "loadgen: %s\n", message.c_str());
        return 2;
    };
    if (tokens.identities_file.empty() == tokens.tokens_file.empty())
        return fail_with("give --identities or --tokens-file");
    if (load.requests != 0 && load.idle_connections != 0)
        return fail_with("--idle-connections needs --duration, not --requests");
    for (auto [text, target, name] :
         {std::tuple{&duration_text, &load.duration, "--duration"}, std::tuple{&warmup_text, &load.warmup, "--warmup"},
          std::tuple{&timeout_text, &load.timeout, "--timeout"}}) {
        auto parsed = duration_flag(name, *text);
        if (!parsed) return fail_with(parsed.error());
        *target = *parsed;
    }
    auto endpoint = config::parse_endpoint_url(url.substr(0, url.find('/', url.find("://") + 3)));
    if (!endpoint) return fail_with("--url: " + endpoint.error());
    load.host = endpoint->host;
    load.port = endpoint->port;
    if (const auto slash = url.find('/', url.find("://") + 3); slash != std::string::npos)
        load.path = url.substr(slash);
    auto tls = net::make_client_tls(ca_file);
    if (!tls) return fail_with("--ca: " + tls.error());
    load.tls = std::move(tls).value();

    auto pool = bench::TokenPool::create(tokens, app::wall_clock_now());
    if (!pool) return fail_with(pool.error());

    bench::LiveCounters live;
    bench::LoadStats stats;
    {
        const Progress shown(live, progress);
        stats = bench::run_load(load, *pool, live);
    }
    const bench::RunDescription run{load.connections, load.idle_connections, load.rate, tokens.invalid_ratio};
    std::printf("%s", bench::render_table(run, stats).c_str());
    if (!json_file.empty()) {
        std::ofstream out(json_file);
        out << bench::render_json(run, stats) << "\n";
        if (!out) return fail_with("cannot write " + json_file);
    }
    return stats.completed() > 0 ? 0 : 1;
}
