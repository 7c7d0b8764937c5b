#pragma once
// An HTTPS/1.1 server (or plain HTTP when given no TLS context: the health
// listener, the emulators' metadata endpoints): one io_context per worker
// thread, a coroutine per connection while it is served (an idle keep-alive
// connection is only its socket's wait), keep-alive, and a limit or timeout
// on everything a client controls. What to answer is the RequestHandler's business.
//
// Usage:
//   HttpServer server({.address = "127.0.0.1", .port = 21362, .threads = 2}, tls, make_handler, log);
//   auto port = server.listen();   // binds; port 0 picks a free one
//   server.run();                  // blocks until stop() or the end of shutdown()
//
// Timeouts, per connection:
//   handshake_timeout    accept to the end of the TLS handshake
//   idle_timeout         waiting for the first byte of a request
//   read_header_timeout  first byte to the end of the headers (slowloris)
//   body_timeout         end of the headers to the end of the body
//   write_timeout        writing one answer (slow readers)
//   request_timeout      the handler's time for one answer
// so no request holds a connection longer than their sum.

#include <atomic>
#include <chrono>
#include <mutex>
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

#include <boost/asio/executor_work_guard.hpp>
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

// Why the server ended a connection on its own.
enum class ConnectionCut {
    OverLimit,         // max_connections were open: closed at once
    HandshakeTimeout,  // TLS handshake not done within handshake_timeout
    IdleTimeout,       // no next request within idle_timeout (keep-alive ends; normal)
    HeaderTimeout,     // headers still arriving read_header_timeout after their first byte
    BodyTimeout,       // body not in within body_timeout
    WriteTimeout,      // the client did not take the answer within write_timeout
};
// "over_limit", "handshake", "idle", "headers", "body", "write".
std::string_view to_string(ConnectionCut why);

struct HttpServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    unsigned threads = 1;
    std::size_t header_limit = 8 * 1024;  // a TokenReview request needs ~1 KiB of headers
    std::size_t body_limit = 64 * 1024;   // a TokenReview is ~2 KiB
    std::chrono::milliseconds handshake_timeout{std::chrono::seconds{10}};
    std::chrono::milliseconds idle_timeout{std::chrono::seconds{60}};
    std::chrono::milliseconds read_header_timeout{std::chrono::seconds{10}};
    std::chrono::milliseconds body_timeout{std::chrono::seconds{10}};
    std::chrono::milliseconds write_timeout{std::chrono::seconds{10}};
    unsigned max_requests_per_connection = 100'000;        // then close, so long-lived connections rebalance
    std::size_t max_connections = 4096;                    // open at once; more are accepted and closed at once
    std::function<void(ConnectionCut)> on_connection_cut;  // the server ended a connection; see ConnectionCut
    // From the end of the request to the answer: past it the client gets
    // timeout_answer, whatever the handler is still waiting for.
    std::chrono::milliseconds request_timeout{std::chrono::seconds{25}};
    HttpResponse timeout_answer{503, "text/plain; charset=utf-8", "no answer in time\n", {}};
    std::function<void(std::string_view client)> on_request_timeout;  // one request answered with timeout_answer
};

// True for a literal IPv4 or IPv6 address, as listen() accepts it.
bool is_ip_address(const std::string& text);

// A connection's share of the server's counters (defined in http_server.cpp).
struct ConnectionSlot;

class HttpServer {
public:
    // `tls` null: plain HTTP (the health listener, the emulators' metadata endpoints).
    HttpServer(HttpServerOptions options, std::shared_ptr<boost::asio::ssl::context> tls, HandlerFactory make_handler,
               ConnectionLog log);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and listens. Returns the bound port, or why it could not.
    Result<std::uint16_t, std::string> listen();

    // Serves until stop(), or until shutdown() has finished; returns once every worker has.
    void run();

    // Graceful: stops accepting (connections already in the listen backlog
    // are taken in), lets requests in progress finish and answers them with
    // "Connection: close", and gives each idle keep-alive connection one last
    // short read, so that a request already sent is answered (with
    // "Connection: close") rather than lost; stops once no connection is
    // left or `grace` has passed, whichever is first. Safe from any thread.
    void shutdown(std::chrono::milliseconds grace);

    // Stops accepting and ends the workers now, abandoning open connections. Safe from any thread.
    void stop();

    // New connections use this certificate from now on (rotation); open ones keep theirs.
    void set_tls(std::shared_ptr<boost::asio::ssl::context> tls);

    // Connections still open when shutdown()'s grace period ran out.
    std::size_t abandoned_connections() const noexcept { return abandoned_.load(); }

    // Connections open now, and accepted so far (for tests, the bench and metrics).
    std::size_t connections_open() const noexcept { return active_connections_->load(); }
    std::uint64_t connections_accepted() const noexcept {
        return connections_accepted_.load(std::memory_order_relaxed);
    }
    // Requests answered so far, on every connection.
    std::uint64_t requests_answered() const noexcept { return requests_answered_->load(std::memory_order_relaxed); }
    // Connections accepted and closed and requests answered, summed: a
    // count that only grows, and grows with each of them.
    std::uint64_t activity() const noexcept;

private:
    struct Worker;
    awaitable<void> accept_loop();
    void admit(boost::asio::ip::tcp::socket socket, Worker& worker);
    void serve_on(Worker& worker, boost::asio::ip::tcp::socket socket, std::string client, ConnectionSlot slot);
    void take_backlog_and_close();
    awaitable<void> stop_when_drained(std::chrono::milliseconds grace);
    std::shared_ptr<boost::asio::ssl::context> current_tls() const;

    HttpServerOptions options_;
    mutable std::mutex tls_mutex_;
    std::shared_ptr<boost::asio::ssl::context> tls_;  // under tls_mutex_
    const bool plain_http_;
    HandlerFactory make_handler_;
    ConnectionLog log_;
    std::vector<std::unique_ptr<Worker>> workers_;
    // Accepting runs on the thread that calls run(), apart from the
    // workers: the reactor's per-socket state, allocated where a socket is
    // accepted and kept for reuse after it closes, then sits in that
    // thread's malloc arena instead of pinning pages all over the workers'
    // (whose memory then goes back to the system once connections close).
    asio::io_context accept_io_{1};
    asio::executor_work_guard<asio::io_context::executor_type> accept_guard_ = asio::make_work_guard(accept_io_);
    std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
    std::shared_ptr<std::atomic<std::size_t>> active_connections_ = std::make_shared<std::atomic<std::size_t>>(0);
    std::shared_ptr<std::atomic<std::uint64_t>> requests_answered_ = std::make_shared<std::atomic<std::uint64_t>>(0);
    std::atomic<bool> draining_{false};
    std::atomic<std::size_t> abandoned_{0};
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> connections_accepted_{0};
};

}  // namespace aia::net
