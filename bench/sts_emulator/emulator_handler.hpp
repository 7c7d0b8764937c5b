#pragma once
// The STS emulator's request handling: verifies presigned GetCallerIdentity
// requests as STS does and answers with STS's shapes, status codes and error
// codes, in JSON or XML as the Accept header asks. Latency and failures can
// be injected for tests and the bench.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <random>

#include "net/http_server.hpp"
#include "sts_emulator/identities.hpp"

namespace aia::bench {

struct EmulatorBehaviour {
    std::chrono::milliseconds latency{0};  // added to every STS answer
    std::chrono::milliseconds jitter{0};   // plus a uniform random 0..jitter
    double failure_rate = 0.0;             // share of requests answered with an injected failure
    enum class Failure { Throttle, InternalError } failure = Failure::Throttle;
};

struct EmulatorCounters {
    std::atomic<std::uint64_t> requests{0};           // STS requests received
    std::atomic<std::uint64_t> succeeded{0};          // answered 200
    std::atomic<std::uint64_t> refused{0};            // refused (bad signature, unknown key, ...)
    std::atomic<std::uint64_t> injected_failures{0};  // failed on purpose
};

class EmulatorHandler : public net::RequestHandler {
public:
    EmulatorHandler(net::asio::io_context& io, const Identities& identities, const EmulatorBehaviour& behaviour,
                    EmulatorCounters& counters, std::function<std::uint64_t()> connections_accepted);

    net::awaitable<net::HttpResponse> handle(net::HttpRequest request) override;

private:
    net::HttpResponse answer_sts(const net::HttpRequest& request);

    net::asio::io_context& io_;
    const Identities& identities_;
    const EmulatorBehaviour& behaviour_;
    EmulatorCounters& counters_;
    std::function<std::uint64_t()> connections_accepted_;
    std::mt19937_64 random_;
};

}  // namespace aia::bench
