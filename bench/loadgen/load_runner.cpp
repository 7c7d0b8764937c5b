#include "load_runner.hpp"

#include "app/wall_clock.hpp"
#include "net/beast.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <optional>
#include <thread>
#include <vector>

namespace aia::bench {
namespace {

using namespace aia::net;
using Clock = std::chrono::steady_clock;

std::uint64_t micros_between(Clock::time_point from, Clock::time_point to) {
    return static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(to - from).count()));
}

using app::wall_clock_now;

// One thread's share of the load: its own io_context, connections, token
// pool copy and statistics, so nothing is shared on the hot path.
class Worker {
public:
    Worker(const LoadOptions& options, const TokenPool& pool, LiveCounters& live, unsigned connections,
           unsigned idle_connections, double rate, std::uint64_t budget)
        : options_(options),
          pool_(pool),
          live_(live),
          connections_(connections),
          idle_connections_(idle_connections),
          rate_(rate),
          budget_(budget) {
        build_requests();
    }

    void run(Clock::time_point start, Clock::time_point record_from, Clock::time_point end) {
        start_ = start;
        record_from_ = record_from;
        end_ = end;
        active_drivers_ = connections_;
        for (unsigned i = 0; i < connections_; ++i) asio::co_spawn(io_, drive(i), asio::detached);
        for (unsigned i = 0; i < idle_connections_; ++i) asio::co_spawn(io_, hold_idle(), asio::detached);
        if (connections_ > 0) asio::co_spawn(io_, keep_tokens_fresh(), asio::detached);
        io_.run();
    }

    LoadStats& stats() { return stats_; }

private:
    // Requests serialized once per body: the client's own cost stays small.
    // Replaced whole when tokens are re-signed; a request being written
    // keeps its snapshot alive.
    struct Requests {
        std::vector<std::string> valid, invalid;
    };

    void build_requests() {
        const std::string head = "POST " + options_.path + " HTTP/1.1\r\nHost: " + options_.host +
                                 "\r\nContent-Type: application/json\r\nContent-Length: ";
        auto built = std::make_shared<Requests>();
        for (const std::string& body : pool_.valid_bodies()) {
            built->valid.push_back(head + std::to_string(body.size()) + "\r\n\r\n" + body);
        }
        for (const std::string& body : pool_.invalid_bodies()) {
            built->invalid.push_back(head + std::to_string(body.size()) + "\r\n\r\n" + body);
        }
        requests_ = std::move(built);
    }

    // Tokens are good for 15 minutes: re-sign them well before. Ends with
    // the last driving connection.
    awaitable<void> keep_tokens_fresh() {
        while (active_drivers_ > 0) {
            refresh_timer_.expires_after(std::chrono::seconds{30});
            boost::system::error_code ec;
            co_await refresh_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
            const amz_time::Seconds signed_before = pool_.signed_at();
            pool_.refresh_if_older(wall_clock_now(), std::chrono::minutes{10});
            if (pool_.signed_at() != signed_before) build_requests();
        }
    }

    bool finished(Clock::time_point now) const { return now >= end_ || (budget_ != 0 && issued_ >= budget_); }

    awaitable<std::optional<TlsStream>> connect() {
        boost::system::error_code ec;
        tcp::resolver resolver(io_);
        auto endpoints = co_await resolver.async_resolve(options_.host, std::to_string(options_.port),
                                                         asio::redirect_error(use_awaitable, ec));
        if (ec) {
            error("resolve");
            co_return std::nullopt;
        }
        TlsStream stream(io_, *options_.tls);
        beast::get_lowest_layer(stream).expires_after(options_.timeout);
        co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::redirect_error(use_awaitable, ec));
        if (ec) {
            error("connect");
            co_return std::nullopt;
        }
        beast::get_lowest_layer(stream).socket().set_option(tcp::no_delay(true));
        co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(use_awaitable, ec));
        if (ec) {
            error("tls handshake");
            co_return std::nullopt;
        }
        ++stats_.connections_opened;  // warm-up included: how many the whole run needed
        co_return std::optional<TlsStream>(std::move(stream));
    }

    void error(const std::string& kind) {
        if (Clock::now() < record_from_) return;
        ++stats_.errors[kind];
        live_.errors.fetch_add(1, std::memory_order_relaxed);
    }

    awaitable<void> pause(std::chrono::milliseconds how_long) {
        asio::steady_timer timer(io_, how_long);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }

    awaitable<void> drive(unsigned index) {
        // Open loop: this connection's requests are due every `interval`,
        // staggered across connections.
        const auto interval =
            rate_ > 0 ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(connections_ / rate_))
                      : Clock::duration{};
        Clock::time_point due = start_ + interval * index / std::max(connections_, 1u);
        while (!finished(Clock::now())) {
            std::optional<TlsStream> stream = co_await connect();
            if (!stream) {
                co_await pause(std::chrono::milliseconds{100});
                continue;
            }
            beast::flat_buffer buffer;
            bool keep_alive = true;
            while (keep_alive && !finished(Clock::now())) {
                if (rate_ > 0) {
                    if (due > Clock::now()) {
                        asio::steady_timer timer(io_, due);
                        boost::system::error_code ec;
                        co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
                        if (finished(Clock::now())) break;
                    }
                }
                ++issued_;
                const std::uint64_t request_number = issued_ - 1;  // one sequence over all connections
                const bool invalid = pool_.is_invalid(request_number) && !requests_->invalid.empty();
                const std::shared_ptr<const Requests> snapshot = requests_;
                const auto& choices = invalid ? snapshot->invalid : snapshot->valid;
                const std::string& request = choices[request_number % choices.size()];
                const Clock::time_point sent = rate_ > 0 ? due : Clock::now();
                due += interval;

                boost::system::error_code ec;
                beast::get_lowest_layer(*stream).expires_after(options_.timeout);
                co_await asio::async_write(*stream, asio::buffer(request), asio::redirect_error(use_awaitable, ec));
                if (ec) {
                    error(ec == beast::error::timeout ? "timeout" : "write");
                    break;
                }
                http::response_parser<http::string_body> parser;
                parser.body_limit(1024 * 1024);
                co_await http::async_read(*stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
                if (ec) {
                    error(ec == beast::error::timeout        ? "timeout"
                          : ec == http::error::end_of_stream ? "closed by server"
                                                             : "read");
                    break;
                }
                const Clock::time_point done = Clock::now();
                keep_alive = parser.keep_alive();
                if (sent < record_from_ || done > end_) continue;  // warm-up, or past the end
                const auto& response = parser.get();
                stats_.latency.record(micros_between(sent, done));
                ++stats_.statuses[response.result_int()];
                if (invalid) ++stats_.invalid_sent;
                if (response.result_int() == 200 &&
                    response.body().find("\"authenticated\":true") != std::string::npos) {
                    ++stats_.authenticated;
                }
                live_.completed.fetch_add(1, std::memory_order_relaxed);
            }
            boost::system::error_code ignored;
            beast::get_lowest_layer(*stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
        }
        if (--active_drivers_ == 0) refresh_timer_.cancel();
    }

    // An idle keep-alive connection, as a quiet client holds one: opened,
    // then left alone; reopened if the server closes it.
    awaitable<void> hold_idle() {
        while (Clock::now() < end_) {
            std::optional<TlsStream> stream = co_await connect();
            if (!stream) {
                co_await pause(std::chrono::milliseconds{500});
                continue;
            }
            beast::get_lowest_layer(*stream).expires_at(end_);
            char byte;
            boost::system::error_code ec;
            co_await stream->async_read_some(asio::buffer(&byte, 1), asio::redirect_error(use_awaitable, ec));
            if (ec == beast::error::timeout) co_return;  // the run is over
        }
    }

    const LoadOptions& options_;
    TokenPool pool_;
    LiveCounters& live_;
    unsigned connections_, idle_connections_;
    double rate_;
    std::uint64_t budget_;
    std::uint64_t issued_ = 0;
    asio::io_context io_{1};
    asio::steady_timer refresh_timer_{io_};
    unsigned active_drivers_ = 0;
    std::shared_ptr<const Requests> requests_;
    Clock::time_point start_, record_from_, end_;
    LoadStats stats_;
};

}  // namespace

void LoadStats::merge(const LoadStats& other) {
    latency.merge(other.latency);
    for (const auto& [status, count] : other.statuses) statuses[status] += count;
    for (const auto& [kind, count] : other.errors) errors[kind] += count;
    authenticated += other.authenticated;
    invalid_sent += other.invalid_sent;
    connections_opened += other.connections_opened;
}

LoadStats run_load(const LoadOptions& options, const TokenPool& pool, LiveCounters& live) {
    const unsigned threads = std::max(1u, options.threads);
    // Tokens live 15 minutes: long runs re-sign them before each worker copies the pool.
    TokenPool fresh = pool;
    fresh.refresh_if_older(wall_clock_now(), std::chrono::minutes{1});

    std::vector<std::unique_ptr<Worker>> workers;
    for (unsigned t = 0; t < threads; ++t) {
        const unsigned connections = options.connections / threads + (t < options.connections % threads ? 1 : 0);
        const unsigned idle = options.idle_connections / threads + (t < options.idle_connections % threads ? 1 : 0);
        const double rate = options.rate * connections / std::max(options.connections, 1u);
        const std::uint64_t budget =
            options.requests == 0 ? 0 : options.requests / threads + (t < options.requests % threads ? 1 : 0);
        workers.push_back(std::make_unique<Worker>(options, fresh, live, connections, idle, rate, budget));
    }
    const Clock::time_point start = Clock::now();
    const Clock::time_point record_from = start + options.warmup;
    const Clock::time_point end =
        options.requests != 0 ? Clock::time_point::max() - std::chrono::hours{24} : record_from + options.duration;

    std::vector<std::thread> running;
    for (auto& worker : workers) {
        running.emplace_back([&worker, start, record_from, end] { worker->run(start, record_from, end); });
    }
    for (auto& thread : running) thread.join();
    const double measured = std::chrono::duration<double>(Clock::now() - record_from).count();

    LoadStats total;
    for (auto& worker : workers) total.merge(worker->stats());
    total.seconds =
        options.requests != 0 ? measured : std::min(measured, std::chrono::duration<double>(options.duration).count());
    return total;
}

}  // namespace aia::bench
