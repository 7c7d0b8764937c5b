#include "net/sts_client.hpp"

#include "net/beast.hpp"

#include <deque>
#include <optional>
#include <unordered_map>

#include <boost/asio/steady_timer.hpp>
#include <openssl/ssl.h>

namespace aia::net {
namespace {

using Clock = std::chrono::steady_clock;
using Kind = StsAnswer::Kind;

// STS answers with a DNS TTL of 60 s; reusing an address for 30 s is safe.
constexpr std::chrono::seconds kResolveCacheTime{30};

struct Connection {
    Connection(asio::io_context& io, ssl::context& tls) : stream(io, tls) {}
    TlsStream stream;
    Clock::time_point idle_since;
};

StsAnswer failure(Kind kind, std::string error) {
    StsAnswer answer;
    answer.kind = kind;
    answer.error = std::move(error);
    return answer;
}

}  // namespace

struct StsClient::Impl {
    asio::io_context& io;
    std::shared_ptr<ssl::context> tls;
    StsClientOptions options;
    std::unordered_map<std::string, std::deque<std::unique_ptr<Connection>>> idle;
    std::size_t opened = 0;

    // Resolved addresses, reused for a while: most requests then need no DNS.
    struct Resolved {
        tcp::resolver::results_type endpoints;
        Clock::time_point expires;
    };
    // Shared with pending resolutions, which may finish after a request gave up.
    std::shared_ptr<std::unordered_map<std::string, Resolved>> resolved =
        std::make_shared<std::unordered_map<std::string, Resolved>>();

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
        while (pool.size() > options.max_idle_per_host) pool.pop_front();
    }

    // Closes connections idle for too long, in every pool, so descriptors do
    // not pile up for hosts that are no longer used.
    void prune_idle() {
        const Clock::time_point now = Clock::now();
        for (auto it = idle.begin(); it != idle.end();) {
            auto& pool = it->second;
            while (!pool.empty() && now - pool.front()->idle_since >= options.max_idle_time) pool.pop_front();
            it = pool.empty() ? idle.erase(it) : std::next(it);
        }
    }

    // getaddrinfo runs on a helper thread and cannot be interrupted, so the
    // deadline is enforced by waiting on a timer that the resolution, if it
    // finishes first, cancels. A late answer still fills the cache.
    awaitable<std::optional<tcp::resolver::results_type>> resolve(const std::string& host, std::uint16_t port,
                                                                  Clock::time_point deadline, StsAnswer& problem) {
        const std::string key = host + ":" + std::to_string(port);
        if (auto it = resolved->find(key); it != resolved->end() && it->second.expires > Clock::now()) {
            co_return it->second.endpoints;
        }
        struct Pending {
            explicit Pending(asio::io_context& io, Clock::time_point deadline) : timer(io, deadline), resolver(io) {}
            asio::steady_timer timer;
            tcp::resolver resolver;
            bool done = false;
            boost::system::error_code ec;
            tcp::resolver::results_type endpoints;
        };
        auto pending = std::make_shared<Pending>(io, deadline);
        pending->resolver.async_resolve(host, std::to_string(port),
                                        [pending, cache = resolved, key](const boost::system::error_code& ec, tcp::resolver::results_type results) {
                                            pending->done = true;
                                            pending->ec = ec;
                                            pending->endpoints = results;
                                            if (!ec) (*cache)[key] = {results, Clock::now() + kResolveCacheTime};
                                            pending->timer.cancel();
                                        });
        boost::system::error_code timer_ec;
        co_await pending->timer.async_wait(asio::redirect_error(use_awaitable, timer_ec));
        if (!pending->done) {
            pending->resolver.cancel();
            problem = failure(Kind::TimedOut, "resolving " + host + " took too long");
            co_return std::nullopt;
        }
        if (pending->ec) {
            problem = failure(Kind::Unreachable, "cannot resolve " + host + ": " + pending->ec.message());
            co_return std::nullopt;
        }
        co_return pending->endpoints;
    }

    // Resolve, connect and handshake, all before `deadline`.
    awaitable<std::unique_ptr<Connection>> connect(const std::string& host, std::uint16_t port, const std::string& tls_name,
                                                   Clock::time_point deadline, StsAnswer& problem) {
        boost::system::error_code ec;
        const auto endpoints = co_await resolve(host, port, deadline, problem);
        if (!endpoints) co_return nullptr;

        auto connection = std::make_unique<Connection>(io, *tls);
        auto& tcp_layer = beast::get_lowest_layer(connection->stream);
        tcp_layer.expires_at(deadline);
        co_await tcp_layer.async_connect(*endpoints, asio::redirect_error(use_awaitable, ec));
        if (ec) {
            problem = failure(ec == beast::error::timeout ? Kind::TimedOut : Kind::Unreachable,
                              "cannot connect to " + host + ":" + std::to_string(port) + ": " + ec.message());
            co_return nullptr;
        }
        tcp_layer.socket().set_option(tcp::no_delay(true), ec);

        // SNI and certificate checks name the host we meant to reach (SNI
        // carries names only, never IP literals). SSL_set_tlsext_host_name,
        // spelled out: the macro trips -Wold-style-cast.
        boost::system::error_code not_an_ip;
        asio::ip::make_address(tls_name, not_an_ip);
        if (not_an_ip && SSL_ctrl(connection->stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                                  TLSEXT_NAMETYPE_host_name, const_cast<char*>(tls_name.c_str())) != 1) {
            problem = failure(Kind::Unreachable, "cannot set TLS server name " + tls_name);
            co_return nullptr;
        }
        connection->stream.set_verify_mode(ssl::verify_peer);
        connection->stream.set_verify_callback(ssl::host_name_verification(tls_name));
        co_await connection->stream.async_handshake(ssl::stream_base::client, asio::redirect_error(use_awaitable, ec));
        if (ec) {
            problem = failure(ec == beast::error::timeout ? Kind::TimedOut : Kind::Unreachable,
                              "TLS handshake with " + host + " failed: " + ec.message());
            co_return nullptr;
        }
        ++opened;
        co_return connection;
    }

    // One request and its answer on `connection`. `keep` says whether the
    // connection may be reused; `retryable` whether nothing was received.
    awaitable<StsAnswer> exchange(Connection& connection, const token::PresignedRequest& request,
                                  Clock::time_point deadline, bool& keep, bool& retryable) {
        keep = false;
        retryable = false;
        boost::system::error_code ec;
        auto& tcp_layer = beast::get_lowest_layer(connection.stream);

        http::request<http::empty_body> out{http::verb::get, request.target, 11};
        out.set(http::field::host, request.host);
        out.set("x-k8s-aws-id", request.cluster_id);
        out.set(http::field::accept, "application/json");
        out.set(http::field::user_agent, options.user_agent);
        out.keep_alive(true);

        tcp_layer.expires_at(deadline);
        co_await http::async_write(connection.stream, out, asio::redirect_error(use_awaitable, ec));
        if (ec) {
            retryable = ec != beast::error::timeout;
            co_return failure(ec == beast::error::timeout ? Kind::TimedOut : Kind::Unreachable,
                              "error sending to STS: " + ec.message());
        }

        constexpr std::size_t kHeaderLimit = 16 * 1024;
        beast::flat_buffer buffer{kHeaderLimit + options.max_answer_bytes + 4096};
        http::response_parser<http::string_body> parser;
        parser.header_limit(kHeaderLimit);
        parser.body_limit(options.max_answer_bytes);
        co_await http::async_read(connection.stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
        if (ec) {
            if (ec == beast::error::timeout) co_return failure(Kind::TimedOut, "STS did not answer in time");
            if (ec == http::error::body_limit) {
                co_return failure(Kind::Broken, "STS answer larger than " + std::to_string(options.max_answer_bytes) + " bytes");
            }
            retryable = !parser.got_some();
            co_return failure(parser.got_some() ? Kind::Broken : Kind::Unreachable,
                              "error reading the STS answer: " + ec.message());
        }
        const unsigned status = parser.get().result_int();
        // We never send Expect: an interim 1xx answer means the exchange is
        // out of step; so does anything left over after the answer. Such a
        // connection must never be reused: its next answer would belong to
        // this request, and could vouch for the wrong caller.
        if (status < 200) co_return failure(Kind::Broken, "STS sent an interim " + std::to_string(status) + " answer");
        StsAnswer answer;
        answer.status = status;
        answer.body = std::move(parser.get().body());
        keep = parser.get().keep_alive() && buffer.size() == 0;
        co_return answer;
    }
};

StsClient::StsClient(asio::io_context& io, std::shared_ptr<ssl::context> tls, StsClientOptions options)
    : impl_(std::make_unique<Impl>(Impl{io, std::move(tls), std::move(options)})) {}

StsClient::~StsClient() = default;

std::size_t StsClient::connections_opened() const noexcept { return impl_->opened; }

awaitable<StsAnswer> StsClient::get_caller_identity(const token::PresignedRequest& request) {
    Impl& self = *impl_;
    const Clock::time_point deadline = Clock::now() + self.options.timeout;
    const bool overridden = !self.options.override_host.empty();
    const std::string host = overridden ? self.options.override_host : request.host;
    const std::uint16_t port = overridden ? self.options.override_port : 443;
    const std::string pool_key = host + ":" + std::to_string(port);

    // A pooled connection first; if the peer closed it meanwhile, once more
    // on a new one (the other pooled ones are likely just as stale).
    bool fresh_only = false;
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::unique_ptr<Connection> connection = fresh_only ? nullptr : self.take_idle(pool_key);
        const bool reused = connection != nullptr;
        if (!connection) {
            StsAnswer problem;
            connection = co_await self.connect(host, port, host, deadline, problem);
            if (!connection) co_return problem;
        }
        bool keep = false, retryable = false;
        StsAnswer answer = co_await self.exchange(*connection, request, deadline, keep, retryable);
        answer.reused_connection = reused;
        if (answer.kind == Kind::Answered) {
            if (keep) self.put_idle(pool_key, std::move(connection));
            co_return answer;
        }
        if (!(reused && retryable && Clock::now() < deadline)) co_return answer;
        self.idle.erase(pool_key);
        fresh_only = true;
    }
    co_return failure(Kind::Unreachable, "STS connection failed twice");
}

}  // namespace aia::net
