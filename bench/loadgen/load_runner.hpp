#pragma once
// Drives POST /authenticate over keep-alive TLS connections, closed-loop
// (each connection sends its next request when the answer arrives) or
// open-loop at a target rate (each connection keeps its own schedule and
// latency is measured from when a request was due, so a stalled server
// cannot hide its stalls: no coordinated omission).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "latency_histogram.hpp"
#include "token_pool.hpp"

namespace boost::asio::ssl {
class context;
}

namespace aia::bench {

struct LoadOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string path = "/authenticate";
    std::shared_ptr<boost::asio::ssl::context> tls;
    unsigned threads = 1;
    unsigned connections = 64;
    unsigned idle_connections = 0;  // opened and held without requests (scenario: many idle kubelets)
    double rate = 0;                // requests per second over all connections; 0: closed loop
    std::chrono::milliseconds duration{std::chrono::seconds{10}};
    std::uint64_t requests = 0;           // stop after this many instead (0: by duration)
    std::chrono::milliseconds warmup{0};  // run this long first without recording
    std::chrono::milliseconds timeout{std::chrono::seconds{30}};
};

struct LoadStats {
    LatencyHistogram latency;
    std::map<unsigned, std::uint64_t> statuses;   // HTTP status -> count
    std::map<std::string, std::uint64_t> errors;  // transport error kind -> count
    std::uint64_t authenticated = 0;              // 200 with authenticated: true
    std::uint64_t invalid_sent = 0;               // requests that carried a deliberately bad token
    std::uint64_t connections_opened = 0;
    double seconds = 0;  // measured interval

    void merge(const LoadStats& other);
    std::uint64_t completed() const { return latency.count(); }
};

// Counters the progress line reads while the run goes on.
struct LiveCounters {
    std::atomic<std::uint64_t> completed{0};
    std::atomic<std::uint64_t> errors{0};
};

LoadStats run_load(const LoadOptions& options, const TokenPool& pool, LiveCounters& live);

}  // namespace aia::bench
