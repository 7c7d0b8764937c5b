#include "net/http_server.hpp"

#include "net/beast.hpp"
#include "net/http_wire.hpp"
#include "net/tls_socket.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <type_traits>

namespace aia::net {

// Counts a connection as open for as long as it exists, and
// the requests it answers.
struct ConnectionSlot {
    std::shared_ptr<std::atomic<std::size_t>> open;
    std::shared_ptr<std::atomic<std::uint64_t>> answered;
    ConnectionSlot(std::shared_ptr<std::atomic<std::size_t>> open_counter,
                   std::shared_ptr<std::atomic<std::uint64_t>> answered_counter)
        : open(std::move(open_counter)), answered(std::move(answered_counter)) {
        open->fetch_add(1);
    }
    ConnectionSlot(ConnectionSlot&& other) noexcept = default;
    ConnectionSlot(const ConnectionSlot&) = delete;
    ~ConnectionSlot() {
        if (open) open->fetch_sub(1);
    }
};

namespace {

HttpResponse plain(unsigned status, std::string body) { return HttpResponse::make(status, std::move(body)); }

// What to tell a client whose request could not be read, or nothing when the
// connection simply ended.
std::optional<HttpResponse> answer_for_read_error(const boost::system::error_code& ec) {
    if (ec == http::error::body_limit) return plain(413, "request body too large\n");
    if (ec == http::error::header_limit) return plain(431, "request headers too large\n");
    const bool http_parse_error = ec.category() == http::make_error_code(http::error::bad_target).category();
    if ((http_parse_error && ec != http::error::end_of_stream && ec != http::error::partial_message) ||
        ec == http::error::buffer_overflow) {
        return plain(400, "malformed HTTP request\n");
    }
    return std::nullopt;
}

std::string describe(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown exception";
    }
}

std::string endpoint_text(const tcp::socket& socket) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return "unknown";
    const auto address = remote.address();
    return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
           std::to_string(remote.port());
}

// A "lingering close": after refusing a request we did not read to the end,
// read and drop what the client is still sending for a moment. Closing with
// unread input makes the kernel send a reset, which destroys our answer in
// the client's receive buffer before it could read it.
template <class Stream>
awaitable<void> drain(Stream& stream) {
    constexpr std::size_t kMaxDrainBytes = 1024 * 1024;
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds{1});
    std::array<char, 16 * 1024> scratch;
    for (std::size_t drained = 0; drained < kMaxDrainBytes && !ec;) {
        drained += co_await stream.async_read_some(asio::buffer(scratch), asio::redirect_error(use_awaitable, ec));
    }
}

// One worker's connections that wait for their next request: a graceful
// shutdown closes these at once instead of waiting out their idle timeout.
// Linked through the connections themselves (no allocation per wait), each
// leaving the list when its wait ends or it is destroyed. Touched only on
// the worker's thread.
struct IdleConnections {
    using Hook = boost::intrusive::list_member_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;
    struct Member {
        Hook hook;
        TimedSocket* socket = nullptr;
    };

    bool draining = false;
    boost::intrusive::list<Member, boost::intrusive::member_hook<Member, Hook, &Member::hook>,
                           boost::intrusive::constant_time_size<false>>
        waiting;

    void add(Member& member, TimedSocket& socket) {
        member.socket = &socket;
        waiting.push_back(member);
    }
    static void remove(Member& member) { member.hook.unlink(); }
    // The waits end (from the executor) with operation_aborted.
    void close_all() {
        draining = true;
        for (Member& member : waiting) member.socket->cancel();
    }
};

// What a worker's connections share; outlives them all (see Worker).
struct WorkerScope {
    const HttpServerOptions& options;
    const ConnectionLog& log;
    IdleConnections idle;
    asio::io_context* io = nullptr;  // the worker's: where its connections' coroutines run
};

// Enough for a whole TokenReview in one read, usually.
constexpr std::size_t kFirstReadSize = 8 * 1024;
// A draining server's last look for a request already on its way.
constexpr std::chrono::milliseconds kLastLookTime{100};

void cut(const HttpServerOptions& options, ConnectionCut why) {
    if (options.on_connection_cut) options.on_connection_cut(why);
}

// A handler's answer racing a deadline, on one worker's thread.
struct AnswerRace {
    explicit AnswerRace(const asio::any_io_executor& executor) : finished(executor) {}
    asio::steady_timer finished;  // cancelled when the handler is done
    std::optional<HttpResponse> answer;
    bool failed = false;
};

awaitable<void> run_handler(std::shared_ptr<RequestHandler> handler, HttpRequest request,
                            std::shared_ptr<AnswerRace> race) {
    race->answer = co_await handler->handle(std::move(request));
    race->finished.cancel();
}

// The handler's answer, or options.timeout_answer once
// options.request_timeout has passed. A handler that overruns is left to
// finish on its own (everything it waits for has a deadline of its own) and
// its answer is dropped; its coroutine keeps what it uses alive meanwhile.
awaitable<HttpResponse> answer_within(const std::shared_ptr<RequestHandler>& handler, HttpRequest request,
                                      const HttpServerOptions& options, const ConnectionLog& log) {
    const auto executor = co_await asio::this_coro::executor;
    auto race = std::make_shared<AnswerRace>(executor);
    race->finished.expires_after(options.request_timeout);
    const std::string client = request.client;
    asio::co_spawn(executor, run_handler(handler, std::move(request), race), [race](std::exception_ptr error) {
        if (!error) return;
        race->failed = true;
        race->finished.cancel();
    });
    // The handler may have finished before its first suspension.
    if (!race->answer && !race->failed) {
        boost::system::error_code ec;
        co_await race->finished.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    if (race->answer) co_return std::move(*race->answer);
    if (race->failed) {
        log(client, "request handler failed");
        co_return plain(500, "internal error\n");
    }
    if (options.on_request_timeout) options.on_request_timeout(client);
    co_return options.timeout_answer;
}

// g++ 12 wrongly reports Asio's coroutine frame allocation as mismatched
// with its deallocation once async_write is inlined here (GCC bug 109224).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
// The handler's view of a request: plain strings, the body moved out.
HttpRequest to_request(http::request<http::string_body>& beast_request, const std::string& client) {
    HttpRequest request;
    request.method = std::string(beast_request.method_string());
    request.target = std::string(beast_request.target());
    for (const auto& field : beast_request) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(beast_request.body());
    request.client = client;
    return request;
}

using Deadline = std::chrono::steady_clock::time_point;

// The next bytes of a request, by `deadline`. A plain function, not a
// coroutine: awaiting it costs no coroutine frame of its own.
template <class Stream>
awaitable<std::size_t> read_some_by(Stream& stream, beast::flat_buffer& buffer, Deadline deadline,
                                    boost::system::error_code& ec) {
    beast::get_lowest_layer(stream).expires_at(deadline);
    return stream.async_read_some(buffer.prepare(kFirstReadSize), asio::redirect_error(use_awaitable, ec));
}

// Writes `response` (kept alive by the caller) within options.write_timeout.
template <class Stream>
awaitable<std::size_t> write_within(Stream& stream, const std::string& response, const HttpServerOptions& options,
                                    boost::system::error_code& ec) {
    beast::get_lowest_layer(stream).expires_after(options.write_timeout);
    return asio::async_write(stream, asio::buffer(response), asio::redirect_error(use_awaitable, ec));
}

template <class Stream>
awaitable<void> handshake_within(Stream& stream, const HttpServerOptions& options, boost::system::error_code& ec) {
    beast::get_lowest_layer(stream).expires_after(options.handshake_timeout);
    return stream.async_handshake(ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
}

// Close politely, but never wait long for a peer that has gone.
template <class Stream>
awaitable<void> tls_shutdown_within(Stream& stream, bool draining, boost::system::error_code& ec) {
    beast::get_lowest_layer(stream).expires_after(draining ? std::chrono::milliseconds{250}
                                                           : std::chrono::milliseconds{2000});
    return stream.async_shutdown(asio::redirect_error(use_awaitable, ec));
}

// The headers by `deadline`: read_header_timeout from the request's first bytes.
template <class Stream>
awaitable<std::size_t> read_header_by(Stream& stream, beast::flat_buffer& buffer,
                                      http::request_parser<http::string_body>& parser, Deadline deadline,
                                      boost::system::error_code& ec) {
    beast::get_lowest_layer(stream).expires_at(deadline);
    return http::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
}

template <class Stream>
awaitable<std::size_t> read_body_within(Stream& stream, beast::flat_buffer& buffer,
                                        http::request_parser<http::string_body>& parser,
                                        const HttpServerOptions& options, boost::system::error_code& ec) {
    beast::get_lowest_layer(stream).expires_after(options.body_timeout);
    return http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
}

// Capped: Beast 1.74 checks chunk sizes against body_limit but not the
// length of chunk extensions or trailers, which would otherwise grow the
// buffer without bound. Overflow is answered with 400.
beast::flat_buffer request_buffer(const HttpServerOptions& options) {
    return beast::flat_buffer{options.header_limit + options.body_limit + 4096};
}

void report_failed_handshake(const boost::system::error_code& ec, const HttpServerOptions& options,
                             const ConnectionLog& log, const std::string& client) {
    if (ec == beast::error::timeout) cut(options, ConnectionCut::HandshakeTimeout);
    log(client, "TLS handshake failed: " + ec.message());
}

// Whether the wait for a next request ended the connection (reported when
// it timed out); not when a shutdown cut it short, to look once more.
bool idle_wait_failed(const boost::system::error_code& ec, bool last_look, const HttpServerOptions& options,
                      const ConnectionLog& log, const std::string& client) {
    if (!ec || last_look) return false;
    if (ec == beast::error::timeout) {
        cut(options, ConnectionCut::IdleTimeout);
        log(client, "closed after " + std::to_string(options.idle_timeout.count()) + " ms idle");
    }
    return true;
}

void report_slow_request(bool headers_done, const HttpServerOptions& options, const ConnectionLog& log,
                         const std::string& client) {
    cut(options, headers_done ? ConnectionCut::BodyTimeout : ConnectionCut::HeaderTimeout);
    log(client, headers_done ? "request body too slow; closed" : "request headers too slow; closed");
}

// What to send a client whose request could not be read (already on the
// wire), or nothing when the connection just ends; reports either way.
std::optional<std::string> unreadable_request_response(const boost::system::error_code& ec, bool headers_done,
                                                       const HttpServerOptions& options, const ConnectionLog& log,
                                                       const std::string& client) {
    if (ec == beast::error::timeout) {
        report_slow_request(headers_done, options, log, client);
        return std::nullopt;
    }
    auto answer = answer_for_read_error(ec);
    if (!answer) return std::nullopt;
    log(client, "unreadable request: " + ec.message());
    return wire_response(*answer, 11, false);
}

void report_failed_write(const boost::system::error_code& ec, const HttpServerOptions& options,
                         const ConnectionLog& log, const std::string& client) {
    if (ec != beast::error::timeout) return;
    cut(options, ConnectionCut::WriteTimeout);
    log(client, "answer not read in time; closed");
}

void limit_request(http::request_parser<http::string_body>& parser, const HttpServerOptions& options) {
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(options.body_limit);
}

// One connection, owned by whichever of its two states it is in: a
// coroutine serving requests, or the socket's wait for the next request.
// While it waits no coroutine exists (an idle keep-alive connection costs
// this, the socket and its TLS state), and the request buffer is empty.
template <class Stream>
struct Connection {
    Connection(Stream stream_, std::shared_ptr<ssl::context> tls_, std::string client_,
               std::shared_ptr<RequestHandler> handler_, WorkerScope& scope_, ConnectionSlot slot_)
        : stream(std::move(stream_)),
          tls(std::move(tls_)),
          client(std::move(client_)),
          handler(std::move(handler_)),
          scope(scope_),
          slot(std::move(slot_)),
          buffer(request_buffer(scope_.options)) {}

    Stream stream;
    std::shared_ptr<ssl::context> tls;  // keeps the certificate alive after a rotation
    std::string client;
    std::shared_ptr<RequestHandler> handler;
    WorkerScope& scope;
    ConnectionSlot slot;
    beast::flat_buffer buffer;
    unsigned served = 0;
    IdleConnections::Member idle_member;  // in scope.idle while it waits
};

// How a serving coroutine begins, and what it does once a request is answered.
enum class Step {
    Handshake,  // just accepted
    Read,       // bytes have arrived
    Buffered,   // the next request is already in the buffer (pipelined)
    LastLook,   // shutting down: one short read for a request already sent
    Wait,       // nothing buffered: wait for the next request
    Close,
};

// After an answer: the connection's next step.
template <class Stream>
Step after_answer(const Connection<Stream>& connection) {
    if (connection.buffer.size() > 0) return Step::Buffered;
    return connection.scope.idle.draining ? Step::LastLook : Step::Wait;
}

// One request read and answered, its headers by `header_deadline`. True
// when the connection stays open for the next (`may_keep`: the
// connection's request limit allows one). A coroutine of its own: the
// parser, the request and the answer live in its frame only while a
// request is served.
template <class Stream>
awaitable<bool> serve_request(Connection<Stream>& connection, Deadline header_deadline, bool may_keep) {
    Stream& stream = connection.stream;
    beast::flat_buffer& buffer = connection.buffer;
    const std::string& client = connection.client;
    const HttpServerOptions& options = connection.scope.options;
    const ConnectionLog& log = connection.scope.log;
    boost::system::error_code ec;
    http::request_parser<http::string_body> parser;
    limit_request(parser, options);
    co_await read_header_by(stream, buffer, parser, header_deadline, ec);
    if (!ec && !parser.is_done()) co_await read_body_within(stream, buffer, parser, options, ec);
    if (ec) {
        if (auto response = unreadable_request_response(ec, parser.is_header_done(), options, log, client)) {
            co_await write_within(stream, *response, options, ec);
            co_await drain(stream);
        }
        co_return false;
    }

    http::request<http::string_body> beast_request = parser.release();
    const HttpResponse answer =
        co_await answer_within(connection.handler, to_request(beast_request, client), options, log);
    // Decided after the handler: a shutdown may have begun meanwhile.
    const bool keep_alive = beast_request.keep_alive() && may_keep && !connection.scope.idle.draining;
    std::string response = wire_response(answer, beast_request.version(), keep_alive);
    // HEAD: the headers GET would have (Content-Length included), no body.
    if (beast_request.method() == http::verb::head) response.resize(response.size() - answer.body.size());
    co_await write_within(stream, response, options, ec);
    if (ec) {
        report_failed_write(ec, options, log, client);
        co_return false;
    }
    connection.slot.answered->fetch_add(1, std::memory_order_relaxed);
    co_return keep_alive;
}

template <class Stream>
void serve_from(std::unique_ptr<Connection<Stream>> connection, Step step);

// Hands the connection to the socket's wait for its next request, within
// idle_timeout; a shutdown cuts the wait short for one last look.
template <class Stream>
void wait_for_request(std::unique_ptr<Connection<Stream>> owned) {
    Connection<Stream>& connection = *owned;
    TimedSocket& socket = beast::get_lowest_layer(connection.stream);
    connection.buffer.shrink_to_fit();
    connection.scope.idle.add(connection.idle_member, socket);
    socket.expires_after(connection.scope.options.idle_timeout);
    connection.stream.async_wait_readable(
        [owned = std::move(owned)](boost::system::error_code ec, std::size_t) mutable {
            IdleConnections::remove(owned->idle_member);
            const WorkerScope& scope = owned->scope;
            const bool last_look = ec == asio::error::operation_aborted && scope.idle.draining;
            // A plain handler, not a coroutine: what throws here (no memory
            // for the log line) must drop this connection, not leave io.run().
            try {
                if (idle_wait_failed(ec, last_look, scope.options, scope.log, owned->client)) return;  // closed
            } catch (const std::exception&) {
                return;
            }
            serve_from(std::move(owned), last_look ? Step::LastLook : Step::Read);
        });
}

// Serves requests from `step` on, for as long as they come without a pause;
// then hands the connection to wait_for_request, or closes it.
template <class Stream>
awaitable<void> serve_connection(std::unique_ptr<Connection<Stream>> owned, Step step) {
    Connection<Stream>& connection = *owned;
    Stream& stream = connection.stream;
    beast::flat_buffer& buffer = connection.buffer;
    WorkerScope& scope = connection.scope;
    const HttpServerOptions& options = scope.options;
    boost::system::error_code ec;

    constexpr bool kTls = std::is_same_v<Stream, TlsSocket>;
    if (step == Step::Handshake) {
        if constexpr (kTls) {
            co_await handshake_within(stream, options, ec);
            if (ec) {
                report_failed_handshake(ec, options, scope.log, connection.client);
                co_return;
            }
        }
        step = after_answer(connection);
    }

    while (step != Step::Wait && step != Step::Close) {
        if (connection.served >= options.max_requests_per_connection) {
            step = Step::Close;
            break;
        }
        // From its first byte a request's headers must arrive within
        // read_header_timeout, however slowly they trickle.
        const Deadline header_deadline = std::chrono::steady_clock::now() + options.read_header_timeout;
        if (step == Step::Read) {
            // Here already, or for TLS the rest of the record on its way.
            buffer.commit(co_await read_some_by(stream, buffer, header_deadline, ec));
            if (ec) {
                if (ec == beast::error::timeout) report_slow_request(false, options, scope.log, connection.client);
                step = Step::Close;
                break;
            }
        } else if (step == Step::LastLook) {
            // Shutting down: a request the client sent before it could know
            // is already here (in the socket or the TLS layer), and closing
            // now would throw it away. One last short read; a request found
            // is answered, with Connection: close.
            const std::size_t received =
                co_await read_some_by(stream, buffer, std::chrono::steady_clock::now() + kLastLookTime, ec);
            buffer.commit(received);
            if (ec || received == 0) {
                step = Step::Close;
                break;
            }
        }
        const bool may_keep = connection.served + 1 < options.max_requests_per_connection;
        ++connection.served;
        step = co_await serve_request(connection, header_deadline, may_keep) ? after_answer(connection) : Step::Close;
    }

    if (step == Step::Wait && connection.served < options.max_requests_per_connection) {
        wait_for_request(std::move(owned));
        co_return;
    }
    if constexpr (kTls)
        co_await tls_shutdown_within(stream, scope.idle.draining, ec);
    else
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// A coroutine serving the connection from `step`, on its worker. When it
// cannot be started (no memory), the connection is dropped, not the worker.
template <class Stream>
void serve_from(std::unique_ptr<Connection<Stream>> connection, Step step) {
    const ConnectionLog& log = connection->scope.log;
    try {
        asio::io_context& io = *connection->scope.io;
        asio::co_spawn(io, serve_connection(std::move(connection), step), [&log](std::exception_ptr error) {
            if (error) log("", "connection ended by an unexpected error: " + describe(error));
        });
    } catch (const std::exception& e) {
        log("", std::string("cannot serve a connection: ") + e.what());
    }
}
#pragma GCC diagnostic pop

}  // namespace

// Declared so that `io` is destroyed after `handler` (whose pooled sockets
// belong to it) and before `scope` (whose idle list the connections
// destroyed with it still leave).
struct HttpServer::Worker {
    Worker(const HttpServerOptions& options, const ConnectionLog& log) : scope{options, log, {}, &io} {}
    std::thread thread;
    WorkerScope scope;
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
    std::shared_ptr<RequestHandler> handler;
};

HttpServer::HttpServer(HttpServerOptions options, std::shared_ptr<ssl::context> tls, HandlerFactory make_handler,
                       ConnectionLog log)
    : options_(std::move(options)),
      tls_(std::move(tls)),
      plain_http_(tls_ == nullptr),
      make_handler_(std::move(make_handler)),
      log_(std::move(log)) {
    const unsigned threads = std::max(1u, options_.threads);
    for (unsigned i = 0; i < threads; ++i) {
        auto worker = std::make_unique<Worker>(options_, log_);
        worker->handler = make_handler_(worker->io);
        workers_.push_back(std::move(worker));
    }
    acceptor_.emplace(accept_io_);
}

HttpServer::~HttpServer() {
    stop();
    for (auto& worker : workers_) {
        if (worker->thread.joinable()) worker->thread.join();
    }
}

bool is_ip_address(const std::string& text) {
    boost::system::error_code ec;
    asio::ip::make_address(text, ec);
    return !ec;
}

Result<std::uint16_t, std::string> HttpServer::listen() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options_.address, ec);
    if (ec) return fail("listen address \"" + options_.address + "\" is not an IP address");
    const tcp::endpoint endpoint{address, options_.port};
    tcp::acceptor& acceptor = *acceptor_;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return fail("cannot listen on " + options_.address + ":" + std::to_string(options_.port) + ": " + ec.message());
    return acceptor.local_endpoint().port();
}

std::string_view to_string(ConnectionCut why) {
    switch (why) {
        case ConnectionCut::OverLimit:
            return "over_limit";
        case ConnectionCut::HandshakeTimeout:
            return "handshake";
        case ConnectionCut::IdleTimeout:
            return "idle";
        case ConnectionCut::HeaderTimeout:
            return "headers";
        case ConnectionCut::BodyTimeout:
            return "body";
        case ConnectionCut::WriteTimeout:
            return "write";
    }
    return "unknown";
}

std::uint64_t HttpServer::activity() const noexcept {
    const std::uint64_t open = connections_open();  // read first: accepted >= open
    const std::uint64_t accepted = connections_accepted();
    const std::uint64_t closed = accepted >= open ? accepted - open : 0;
    return accepted + closed + requests_answered();
}

std::shared_ptr<ssl::context> HttpServer::current_tls() const {
    std::lock_guard lock(tls_mutex_);
    return tls_;
}

void HttpServer::set_tls(std::shared_ptr<ssl::context> tls) {
    if (plain_http_ || !tls) return;
    std::lock_guard lock(tls_mutex_);
    tls_ = std::move(tls);
}

awaitable<void> HttpServer::accept_loop() {
    asio::steady_timer pause(accept_io_);
    boost::system::error_code pause_ec;
    std::size_t next = 0;
    while (!stopping_ && !draining_) {
        Worker& worker = *workers_[next % workers_.size()];
        boost::system::error_code ec;
        tcp::socket socket = co_await acceptor_->async_accept(worker.io, asio::redirect_error(use_awaitable, ec));
        if (ec) {
            if (ec == asio::error::operation_aborted || stopping_ || draining_) break;
            // Out of descriptors or memory: the failed connection stays queued,
            // so retrying at once would spin. Back off and keep serving.
            log_("", "accept failed: " + ec.message());
            pause.expires_after(std::chrono::milliseconds{100});
            co_await pause.async_wait(asio::redirect_error(use_awaitable, pause_ec));
            continue;
        }
        admit(std::move(socket), worker);
        ++next;
    }
}

void HttpServer::admit(tcp::socket socket, Worker& worker) {
    boost::system::error_code ec;
    if (stopping_) {
        socket.close(ec);  // the workers are stopping: nothing would serve it
        return;
    }
    std::string client = endpoint_text(socket);
    // Over the cap, close at once: the client learns now, instead of
    // waiting in the kernel's backlog for a slot that may not come.
    if (active_connections_->load() >= options_.max_connections) {
        socket.close(ec);
        log_(client, "refused: " + std::to_string(options_.max_connections) + " connections are open");
        cut(options_, ConnectionCut::OverLimit);
        return;
    }
    connections_accepted_.fetch_add(1, std::memory_order_relaxed);
    socket.set_option(tcp::no_delay(true), ec);
    // Counted open from now on, so the cap holds while it travels.
    ConnectionSlot slot{active_connections_, requests_answered_};
    // The connection's memory (TLS state, coroutine frames) is allocated
    // by its worker, in that worker's arena.
    asio::post(worker.io, [this, &worker, socket = std::move(socket), client = std::move(client),
                           slot = std::move(slot)]() mutable {
        serve_on(worker, std::move(socket), std::move(client), std::move(slot));
    });
}

void HttpServer::serve_on(Worker& worker, tcp::socket socket, std::string client, ConnectionSlot slot) {
    try {
        if (!plain_http_) {
            std::shared_ptr<ssl::context> tls = current_tls();
            TlsSocket stream(std::move(socket), *tls);
            serve_from(std::make_unique<Connection<TlsSocket>>(std::move(stream), std::move(tls), std::move(client),
                                                               worker.handler, worker.scope, std::move(slot)),
                       Step::Handshake);
        } else {
            serve_from(
                std::make_unique<Connection<TimedSocket>>(TimedSocket(std::move(socket)), nullptr, std::move(client),
                                                          worker.handler, worker.scope, std::move(slot)),
                Step::Handshake);
        }
    } catch (const std::exception& e) {
        // SSL_new failing (memory): drop this connection, keep accepting.
        log_(client, std::string("cannot set up the connection: ") + e.what());
    }
}

// Shutting down: connections the kernel has already completed are waiting
// in the listen backlog, their requests maybe sent. Closing the acceptor
// would reset them; they are taken in and served once, like the others.
void HttpServer::take_backlog_and_close() {
    // accept4 itself, non-blocking: Asio's synchronous accept falls back to
    // an unbounded poll() after ECONNABORTED or EPROTO. At most
    // max_connections are taken, so a steady flood cannot keep us here.
    const int listener = acceptor_->native_handle();
    // Asio makes the socket non-blocking only once an accept is pending; a
    // signal before the first one would leave accept4 waiting for good.
    const int flags = ::fcntl(listener, F_GETFL);
    const bool non_blocking = flags >= 0 && ::fcntl(listener, F_SETFL, flags | O_NONBLOCK) == 0;
    if (!non_blocking) log_("", std::string("cannot take the listen backlog at shutdown: ") + std::strerror(errno));
    for (std::size_t taken = 0, next = 0; non_blocking && taken < options_.max_connections;) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;  // that one is gone; next
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                log_("", std::string("taking the listen backlog at shutdown failed: ") + std::strerror(errno));
            }
            break;
        }
        ++taken;
        Worker& worker = *workers_[next++ % workers_.size()];
        tcp::socket socket(worker.io);
        boost::system::error_code ec;
        socket.assign(acceptor_->local_endpoint(ec).protocol(), fd, ec);
        if (ec) {
            ::close(fd);
            continue;
        }
        admit(std::move(socket), worker);
    }
    boost::system::error_code ignored;
    acceptor_->close(ignored);
}

void HttpServer::run() {
    // If accepting ever fails for good, say so and stop: a server that no
    // longer accepts must not look alive.
    asio::co_spawn(accept_io_, accept_loop(), [this](std::exception_ptr error) {
        if (!error) return;
        log_("", "accepting connections failed: " + describe(error) + "; stopping");
        stop();
    });
    for (auto& worker : workers_) {
        worker->thread = std::thread([&io = worker->io] { io.run(); });
    }
    accept_io_.run();
    // Stopped: stop listening now rather than when the server is destroyed.
    boost::system::error_code ignored;
    acceptor_->close(ignored);
    for (auto& worker : workers_) worker->thread.join();
}

void HttpServer::shutdown(std::chrono::milliseconds grace) {
    if (stopping_ || draining_.exchange(true)) return;
    asio::post(accept_io_, [this] { take_backlog_and_close(); });
    for (auto& worker : workers_) {
        asio::post(worker->io, [&idle = worker->scope.idle] { idle.close_all(); });
    }
    asio::co_spawn(accept_io_, stop_when_drained(grace), asio::detached);
}

awaitable<void> HttpServer::stop_when_drained(std::chrono::milliseconds grace) {
    const auto deadline = std::chrono::steady_clock::now() + grace;
    asio::steady_timer poll(accept_io_);
    boost::system::error_code ec;
    while (active_connections_->load() > 0 && std::chrono::steady_clock::now() < deadline) {
        poll.expires_after(std::chrono::milliseconds{10});
        co_await poll.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    abandoned_ = active_connections_->load();
    stop();
}

void HttpServer::stop() {
    if (stopping_.exchange(true)) return;
    accept_guard_.reset();  // run() closes the acceptor once accept_io_ has stopped
    accept_io_.stop();
    for (auto& worker : workers_) {
        worker->guard.reset();
        worker->io.stop();
    }
}

}  // namespace aia::net
