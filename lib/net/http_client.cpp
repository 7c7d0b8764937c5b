#include "net/http_client.hpp"

#include "net/beast.hpp"
#include "net/http_wire.hpp"
#include "net/tls_socket.hpp"

#include <array>
#include <deque>
#include <limits>
#include <optional>
#include <unordered_map>
#include <variant>

#include <boost/asio/steady_timer.hpp>

namespace aia::net {
namespace {

using Clock = std::chrono::steady_clock;
using Kind = ClientResponse::Kind;

constexpr std::size_t kHeaderLimit = 16 * 1024;

struct Connection {
    std::variant<TimedSocket, TlsSocket> stream;
    Clock::time_point idle_since;

    TimedSocket& tcp() {
        return std::visit([](auto& s) -> TimedSocket& { return beast::get_lowest_layer(s); }, stream);
    }
};

ClientResponse failure(Kind kind, std::string error) {
    ClientResponse response;
    response.kind = kind;
    response.error = std::move(error);
    return response;
}

// Writes `request` on `stream` by `deadline`: nothing when written, else
// the failure (with `ec` set when the write itself failed).
template <class Stream>
awaitable<std::optional<ClientResponse>> send_request(Stream& stream, TimedSocket& tcp, const ClientRequest& request,
                                                      Clock::time_point deadline, std::string_view user_agent,
                                                      boost::system::error_code& ec) {
    const std::optional<std::string> out =
        wire_request(request.method, request.target, request.headers, request.body, user_agent);
    if (!out) co_return failure(Kind::Unreachable, "refusing to send a header with a line break or NUL in it");
    tcp.expires_at(deadline);
    co_await asio::async_write(stream, asio::buffer(*out), asio::redirect_error(use_awaitable, ec));
    if (ec) {
        co_return failure(ec == beast::error::timeout ? Kind::TimedOut : Kind::Unreachable,
                          "error sending: " + ec.message());
    }
    co_return std::nullopt;
}

// Bytes of the peer's that no one has read, held in the TLS layer (records
// read ahead of the answer's end).
bool holds_unread(const TlsSocket& stream) { return stream.has_pending(); }
bool holds_unread(const TimedSocket&) { return false; }

// One request and its answer on `stream`. `keep` says whether the connection
// may be reused; `retryable` whether nothing at all was received.
template <class Stream>
awaitable<ClientResponse> exchange(Stream& stream, TimedSocket& tcp, const ClientRequest& request,
                                   Clock::time_point deadline, const HttpClientOptions& options, bool& keep,
                                   bool& retryable) {
    keep = false;
    retryable = false;
    boost::system::error_code ec;
    if (auto failed = co_await send_request(stream, tcp, request, deadline, options.user_agent, ec)) {
        retryable = ec && ec != beast::error::timeout;
        co_return std::move(*failed);
    }

    beast::flat_buffer buffer{kHeaderLimit + options.max_answer_bytes + 4096};
    http::response_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(options.max_answer_bytes);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) {
        if (ec == beast::error::timeout) co_return failure(Kind::TimedOut, "no answer in time");
        if (ec == http::error::body_limit) {
            co_return failure(Kind::Broken,
                              "answer larger than " + std::to_string(options.max_answer_bytes) + " bytes");
        }
        retryable = !parser.got_some();
        co_return failure(parser.got_some() ? Kind::Broken : Kind::Unreachable,
                          "error reading the answer: " + ec.message());
    }
    const unsigned status = parser.get().result_int();
    // We never send Expect: an interim 1xx answer means the exchange is out
    // of step; so does anything left over after the answer. Such a
    // connection must never be reused: its next answer would belong to this
    // request (for STS: it could vouch for the wrong caller).
    if (status < 200) co_return failure(Kind::Broken, "interim " + std::to_string(status) + " answer");
    ClientResponse response;
    response.status = status;
    response.body = std::move(parser.get().body());
    keep = parser.get().keep_alive() && buffer.size() == 0 && !holds_unread(stream);
    co_return response;
}

// Adds `chunk` to the line being assembled in `pending` and hands each
// completed line to `on_line`. False when the handler ends the stream, or a
// line outgrows `max_line` (then `problem` says so).
bool feed_lines(std::string& pending, std::string_view chunk, std::size_t max_line, const LineHandler& on_line,
                std::string& problem) {
    pending.append(chunk);
    std::size_t start = 0;
    for (std::size_t end = pending.find('\n'); end != std::string::npos; end = pending.find('\n', start)) {
        std::string_view line(pending.data() + start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty() && !on_line(line)) return false;
    }
    pending.erase(0, start);
    if (pending.size() > max_line) {
        problem = "a line longer than " + std::to_string(max_line) + " bytes";
        return false;
    }
    return true;
}

ClientResponse stream_failure(Kind kind, unsigned status, std::string error) {
    ClientResponse response = failure(kind, std::move(error));
    response.status = status;
    return response;
}

// g++ 12 wrongly reports Asio's coroutine frame allocation as mismatched
// with its deallocation once this is inlined into stream_lines (GCC bug 109224).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
// One GET whose 2xx body is streamed as lines (see HttpClient::stream_lines).
template <class Stream>
awaitable<ClientResponse> stream_exchange(Stream& stream, TimedSocket& tcp, const ClientRequest& request,
                                          Clock::time_point header_deadline, const LineStreamOptions& options,
                                          const HttpClientOptions& client, const LineHandler& on_line) {
    boost::system::error_code ec;
    if (auto failed = co_await send_request(stream, tcp, request, header_deadline, client.user_agent, ec))
        co_return std::move(*failed);

    beast::flat_buffer buffer{kHeaderLimit + 16 * 1024};
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(kHeaderLimit);
    // A watch lasts: lines and error bodies are bounded below instead. (Not
    // boost::none: Beast 1.74 then refuses every Content-Length.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) {
        co_return failure(ec == beast::error::timeout ? Kind::TimedOut : Kind::Broken,
                          "error reading the answer's headers: " + ec.message());
    }
    const unsigned status = parser.get().result_int();
    if (status < 200) co_return failure(Kind::Broken, "interim " + std::to_string(status) + " answer");
    const bool streaming = status < 300;
    ClientResponse response;
    response.status = status;
    std::string pending, problem;
    std::array<char, 16 * 1024> chunk;
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        if (streaming) {
            tcp.expires_after(options.idle_timeout);
        } else {
            tcp.expires_at(header_deadline);
        }
        // Whatever has arrived, not a full buffer: events must not wait for the next ones.
        co_await http::async_read_some(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
        if (ec == http::error::need_buffer) ec = {};
        if (ec) {
            co_return stream_failure(ec == beast::error::timeout ? Kind::TimedOut : Kind::Broken, status,
                                     (streaming ? "stream broken: " : "error reading the answer: ") + ec.message());
        }
        const std::string_view got(chunk.data(), chunk.size() - parser.get().body().size);
        if (!streaming) {
            response.body.append(got);
            if (response.body.size() > client.max_answer_bytes) {
                co_return stream_failure(Kind::Broken, status,
                                         "answer larger than " + std::to_string(client.max_answer_bytes) + " bytes");
            }
        } else if (!feed_lines(pending, got, options.max_line_bytes, on_line, problem)) {
            if (!problem.empty()) co_return stream_failure(Kind::Broken, status, problem);
            co_return response;  // the handler ended it
        }
    }
    if (streaming && !pending.empty()) co_return stream_failure(Kind::Broken, status, "the stream ended inside a line");
    co_return response;
}
#pragma GCC diagnostic pop

}  // namespace

std::string Endpoint::pool_key() const {
    return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port) + "/" + tls_name +
           (verify_peer ? "" : "#unverified");
}

struct HttpClient::Impl {
    Impl(asio::io_context& io_context, std::shared_ptr<ssl::context> tls_context, HttpClientOptions client_options)
        : io(io_context), tls(std::move(tls_context)), options(std::move(client_options)), sweep(io_context) {}

    asio::io_context& io;
    std::shared_ptr<ssl::context> tls;
    HttpClientOptions options;
    std::unordered_map<std::string, std::deque<std::unique_ptr<Connection>>> idle;
    std::size_t opened = 0;
    // Closes pooled connections as they pass max_idle_time, whether or not
    // a request comes to notice: a quiet server keeps no connection the
    // peer has long given up on, nor its memory. Armed while any is pooled.
    asio::steady_timer sweep;
    bool sweep_armed = false;
    std::shared_ptr<char> alive = std::make_shared<char>();  // tells the sweep's handler we are gone

    std::unique_ptr<Connection> take_idle(const std::string& key) {
        auto it = idle.find(key);
        if (it == idle.end()) return nullptr;
        auto& pool = it->second;
        while (!pool.empty()) {
            std::unique_ptr<Connection> connection = std::move(pool.back());
            pool.pop_back();
            if (Clock::now() - connection->idle_since < options.max_idle_time) return connection;
        }
        return nullptr;
    }

    void put_idle(const std::string& key, std::unique_ptr<Connection> connection) {
        prune_idle();
        auto& pool = idle[key];
        connection->idle_since = Clock::now();
        pool.push_back(std::move(connection));
        while (pool.size() > options.max_idle_per_endpoint) pool.pop_front();
        if (pool.empty()) idle.erase(key);  // pooling off (max_idle_per_endpoint 0)
        arm_sweep();
    }

    // Closes connections idle for too long, in every pool; how many.
    std::size_t prune_idle() {
        const Clock::time_point now = Clock::now();
        std::size_t closed = 0;
        for (auto it = idle.begin(); it != idle.end();) {
            auto& pool = it->second;
            for (; !pool.empty() && now - pool.front()->idle_since >= options.max_idle_time; ++closed) pool.pop_front();
            it = pool.empty() ? idle.erase(it) : std::next(it);
        }
        return closed;
    }

    // Wakes when the oldest pooled connection (each pool's front) expires.
    void arm_sweep() {
        if (sweep_armed || idle.empty()) return;
        Clock::time_point oldest = Clock::time_point::max();
        for (const auto& [key, pool] : idle) {
            if (!pool.empty()) oldest = std::min(oldest, pool.front()->idle_since);
        }
        if (oldest == Clock::time_point::max()) return;
        sweep_armed = true;
        sweep.expires_at(oldest + options.max_idle_time);
        sweep.async_wait([this, alive = std::weak_ptr<char>(alive)](boost::system::error_code ec) {
            if (alive.expired()) return;  // the client is gone (its timer cancelled or already fired)
            sweep_armed = false;
            if (ec) return;
            if (const std::size_t closed = prune_idle(); closed > 0 && options.on_idle_closed) {
                options.on_idle_closed(closed);
            }
            arm_sweep();
        });
    }

    // Resolve, connect and (for TLS) handshake, all before `deadline`.
    awaitable<std::unique_ptr<Connection>> connect(const Endpoint& endpoint, Clock::time_point deadline,
                                                   ClientResponse& problem) {
        const std::string where = endpoint.host + ":" + std::to_string(endpoint.port);
        if (endpoint.tls && !tls) {
            problem = failure(Kind::Unreachable, "no TLS settings for " + where);
            co_return nullptr;
        }
        boost::system::error_code ec;
        const Resolution resolution =
            co_await options.resolver->resolve(endpoint.host, endpoint.port, deadline, endpoint.priority);
        switch (resolution.kind) {
            case Resolution::Kind::Resolved:
                break;
            case Resolution::Kind::Failed:
                problem = failure(Kind::Unreachable, resolution.error);
                co_return nullptr;
            case Resolution::Kind::TimedOut:
                problem = failure(Kind::TimedOut, resolution.error);
                co_return nullptr;
            case Resolution::Kind::RecentlyFailed:
            case Resolution::Kind::Busy:
                problem = failure(Kind::Skipped, resolution.error);
                problem.skipped_because = resolution.kind == Resolution::Kind::Busy ? "resolve_busy" : "resolve_failed";
                co_return nullptr;
        }

        // Beast connects (trying each address within the deadline); the
        // connection then runs on our streams, which keep no buffers idle.
        beast::tcp_stream connecting(io);
        connecting.expires_at(deadline);
        co_await connecting.async_connect(resolution.endpoints, asio::redirect_error(use_awaitable, ec));
        if (ec) {
            problem = failure(ec == beast::error::timeout ? Kind::TimedOut : Kind::Unreachable,
                              "cannot connect to " + where + ": " + ec.message());
            co_return nullptr;
        }
        connecting.socket().set_option(tcp::no_delay(true), ec);
        tcp::socket socket = connecting.release_socket();

        if (!endpoint.tls) {
            ++opened;
            co_return std::unique_ptr<Connection>(new Connection{
                std::variant<TimedSocket, TlsSocket>(std::in_place_type<TimedSocket>, std::move(socket)), {}});
        }
        auto connection = std::unique_ptr<Connection>(new Connection{
            std::variant<TimedSocket, TlsSocket>(std::in_place_type<TlsSocket>, std::move(socket), *tls), {}});
        connection->tcp().expires_at(deadline);
        {
            auto& stream = std::get<TlsSocket>(connection->stream);
            // SNI and certificate checks name the host we meant to reach.
            const std::string& name = endpoint.tls_name.empty() ? endpoint.host : endpoint.tls_name;
            if (!stream.expect_peer(name, endpoint.verify_peer)) {
                problem = failure(Kind::Unreachable, "cannot set TLS server name " + name);
                co_return nullptr;
            }
            co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(use_awaitable, ec));
            if (ec) {
                problem = failure(ec == beast::error::timeout ? Kind::TimedOut : Kind::Unreachable,
                                  "TLS handshake with " + where + " failed: " + ec.message());
                co_return nullptr;
            }
        }
        ++opened;
        co_return connection;
    }
};

HttpClient::HttpClient(asio::io_context& io, std::shared_ptr<ssl::context> tls, HttpClientOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(tls), std::move(options))) {
    if (!impl_->options.resolver)
        impl_->options.resolver = std::make_shared<HostResolver>(ResolverOptions{.threads = 1});
}

HttpClient::~HttpClient() = default;

std::size_t HttpClient::connections_opened() const noexcept { return impl_->opened; }

awaitable<ClientResponse> HttpClient::send(const Endpoint& endpoint, ClientRequest request,
                                           std::chrono::milliseconds timeout) {
    Impl& self = *impl_;
    const Clock::time_point deadline = Clock::now() + timeout;
    const std::string pool_key = endpoint.pool_key();

    // A pooled connection first; if the peer closed it meanwhile, once more
    // on a new one (the other pooled ones are likely just as stale).
    bool fresh_only = false;
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::unique_ptr<Connection> connection = fresh_only ? nullptr : self.take_idle(pool_key);
        const bool reused = connection != nullptr;
        if (!connection) {
            ClientResponse problem;
            connection = co_await self.connect(endpoint, deadline, problem);
            if (!connection) co_return problem;
        }
        bool keep = false, retryable = false;
        TimedSocket& tcp_layer = connection->tcp();
        ClientResponse response = co_await std::visit(
            [&](auto& stream) { return exchange(stream, tcp_layer, request, deadline, self.options, keep, retryable); },
            connection->stream);
        response.reused_connection = reused;
        if (response.kind == Kind::Answered) {
            if (keep) self.put_idle(pool_key, std::move(connection));
            co_return response;
        }
        if (!(reused && retryable && Clock::now() < deadline)) co_return response;
        self.idle.erase(pool_key);
        fresh_only = true;
    }
    co_return failure(Kind::Unreachable, "connection failed twice");
}

awaitable<ClientResponse> HttpClient::stream_lines(const Endpoint& endpoint, ClientRequest request,
                                                   LineStreamOptions options, LineHandler on_line) {
    Impl& self = *impl_;
    const Clock::time_point header_deadline = Clock::now() + options.header_timeout;
    ClientResponse problem;
    std::unique_ptr<Connection> connection = co_await self.connect(endpoint, header_deadline, problem);
    if (!connection) co_return problem;
    TimedSocket& tcp_layer = connection->tcp();
    co_return co_await std::visit(
        [&](auto& stream) {
            return stream_exchange(stream, tcp_layer, request, header_deadline, options, self.options, on_line);
        },
        connection->stream);
}

}  // namespace aia::net
