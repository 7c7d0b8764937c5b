#pragma once
// An HTTPS/1.1 server (or plain HTTP when given no TLS context, for test
// endpoints): one io_context per worker thread, one coroutine per
// connection, keep-alive, and a limit or timeout on everything a client
// controls. What to answer is the RequestHandler's business.
//
// Usage:
//   HttpServer server({.address = "127.0.0.1", .port = 21362, .threads = 2}, tls, make_handler, log);
//   auto port = server.listen();   // binds; port 0 picks a free one
//   server.run();                  // blocks until stop()

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/util/result.hpp"
#include "net/asio.hpp"
#include "net/http_types.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace boost::asio::ssl {
class context;
}

namespace aia::net {

class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    // Runs on the connection's worker thread.
    virtual awaitable<HttpResponse> handle(HttpRequest request) = 0;
};

// Called once per worker, with that worker's io_context, so handlers can own
// per-thread state (connection pools) without locks.
using HandlerFactory = std::function<std::shared_ptr<RequestHandler>(asio::io_context&)>;

// Connection-level problems (failed handshakes, malformed requests), for the log.
using ConnectionLog = std::function<void(std::string_view client, std::string_view problem)>;

struct HttpServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    unsigned threads = 1;
    std::size_t header_limit = 8 * 1024;                  // a TokenReview request needs ~1 KiB of headers
    std::size_t body_limit = 64 * 1024;                   // a TokenReview is ~2 KiB
    std::chrono::seconds handshake_timeout{10};
    std::chrono::seconds idle_timeout{60};                // keep-alive wait for the next request's headers
    std::chrono::seconds body_timeout{10};                // the body, once the headers are in
    std::chrono::seconds write_timeout{10};
    unsigned max_requests_per_connection = 100'000;       // then close, so long-lived connections rebalance
    std::size_t max_connections = 4096;                   // open at once; beyond it accepting pauses
};

class HttpServer {
public:
    // `tls` null: plain HTTP (only the emulator's metadata endpoints use that).
    HttpServer(HttpServerOptions options, std::shared_ptr<boost::asio::ssl::context> tls, HandlerFactory make_handler,
               ConnectionLog log);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and listens. Returns the bound port, or why it could not.
    Result<std::uint16_t, std::string> listen();

    // Serves until stop(); returns once every worker has finished.
    void run();

    // Stops accepting and ends the workers. Safe from any thread or a signal handler's completion.
    void stop();

    // Connections open now, and accepted so far (for tests, the bench and metrics).
    std::size_t connections_open() const noexcept { return active_connections_->load(); }
    std::uint64_t connections_accepted() const noexcept { return connections_accepted_.load(std::memory_order_relaxed); }

private:
    struct Worker;
    awaitable<void> accept_loop();

    HttpServerOptions options_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    HandlerFactory make_handler_;
    ConnectionLog log_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
    std::shared_ptr<std::atomic<std::size_t>> active_connections_ = std::make_shared<std::atomic<std::size_t>>(0);
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> connections_accepted_{0};
};

}  // namespace aia::net
