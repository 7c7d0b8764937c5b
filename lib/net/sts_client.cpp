#include "net/sts_client.hpp"

#include <deque>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

namespace aia::net {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Clock = std::chrono::steady_clock;
using Kind = StsAnswer::Kind;

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
        auto& pool = idle[key];
        connection->idle_since = Clock::now();
        pool.push_back(std::move(connection));
        while (pool.size() > options.max_idle_per_host) pool.pop_front();
    }

    // Resolve, connect and handshake, all before `deadline`.
    awaitable<std::unique_ptr<Connection>> connect(const std::string& host, std::uint16_t port, const std::string& tls_name,
                                                   Clock::time_point deadline, StsAnswer& problem) {
        boost::system::error_code ec;
        // The resolver has no deadline of its own; a timer cancels it. Both
        // share ownership so a late timer never touches a dead resolver.
        auto resolver = std::make_shared<tcp::resolver>(io);
        asio::steady_timer resolve_deadline(io, deadline);
        resolve_deadline.async_wait([resolver](const boost::system::error_code& timer_ec) {
            if (!timer_ec) resolver->cancel();
        });
        const auto endpoints =
            co_await resolver->async_resolve(host, std::to_string(port), asio::redirect_error(use_awaitable, ec));
        resolve_deadline.cancel();
        if (ec) {
            problem = failure(Clock::now() >= deadline ? Kind::TimedOut : Kind::Unreachable,
                              "cannot resolve " + host + ": " + ec.message());
            co_return nullptr;
        }

        auto connection = std::make_unique<Connection>(io, *tls);
        auto& tcp_layer = beast::get_lowest_layer(connection->stream);
        tcp_layer.expires_at(deadline);
        co_await tcp_layer.async_connect(endpoints, asio::redirect_error(use_awaitable, ec));
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

        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.header_limit(16 * 1024);
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
        StsAnswer answer;
        answer.status = parser.get().result_int();
        answer.body = std::move(parser.get().body());
        keep = parser.get().keep_alive();
        co_return answer;
    }
};

StsClient::StsClient(asio::io_context& io, std::shared_ptr<ssl::context> tls, StsClientOptions options)
    : impl_(std::make_unique<Impl>(Impl{io, std::move(tls), std::move(options), {}, 0})) {}

StsClient::~StsClient() = default;

std::size_t StsClient::connections_opened() const noexcept { return impl_->opened; }

awaitable<StsAnswer> StsClient::get_caller_identity(const token::PresignedRequest& request) {
    Impl& self = *impl_;
    const Clock::time_point deadline = Clock::now() + self.options.timeout;
    const bool overridden = !self.options.override_host.empty();
    const std::string host = overridden ? self.options.override_host : request.host;
    const std::uint16_t port = overridden ? self.options.override_port : 443;
    const std::string pool_key = host + ":" + std::to_string(port);

    // A pooled connection first; if the peer closed it meanwhile, once more on a new one.
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::unique_ptr<Connection> connection = self.take_idle(pool_key);
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
    }
    co_return failure(Kind::Unreachable, "STS connection failed twice");
}

}  // namespace aia::net
