// HttpClient's pool against a scripted plain-HTTP peer: a kept-alive
// connection is reused within max_idle_time, and closed once it has waited
// that long even when no further request comes to notice. And against a
// TLS peer: an answer followed by bytes nobody asked for ends the connection.

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "app/serving_certificate.hpp"
#include "net/http_client.hpp"
#include "net/tls_context.hpp"
#include "net/run_blocking.hpp"
#include "support/scripted_peer.hpp"

using namespace aia;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// On the peer's thread: the time the client's end of the connection closed
// (EOF), or nothing within `limit`.
Clock::time_point wait_for_eof(int socket, Clock::duration limit) {
    const auto deadline = Clock::now() + limit;
    char byte = 0;
    while (Clock::now() < deadline) {
        pollfd readable{socket, POLLIN, 0};
        if (::poll(&readable, 1, 50) == 1 && ::read(socket, &byte, 1) <= 0) return Clock::now();
    }
    return Clock::time_point{};
}

net::ClientRequest get() { return {.target = "/", .headers = {{"Host", "127.0.0.1"}}}; }

// A peer that answers one request, then notes when the client closes the
// connection.
struct AnswerOnce {
    std::atomic<Clock::time_point::rep> answered_at{0}, closed_at{0};
    test::ScriptedPeer peer{[this](int socket) {
        test::send_text(socket, kAnswer);
        answered_at = Clock::now().time_since_epoch().count();
        closed_at = wait_for_eof(socket, 8s).time_since_epoch().count();
    }};

    // How long the connection stayed open after the answer, once closed.
    Clock::duration kept() const { return Clock::duration(closed_at.load() - answered_at.load()); }
};

}  // namespace

TEST_CASE("client pool: an idle connection is closed at max_idle_time without a request to notice", "[http-client]") {
    AnswerOnce answering;

    net::asio::io_context io;
    std::size_t expired = 0;
    net::HttpClient client(io, nullptr,
                           {.max_idle_time = 1s, .on_idle_closed = [&expired](std::size_t n) { expired += n; }});
    const net::Endpoint endpoint{.tls = false, .host = "127.0.0.1", .port = answering.peer.port};
    const net::ClientResponse response = net::run_blocking(io, client.send(endpoint, get(), 5s));
    REQUIRE(response.kind == net::ClientResponse::Kind::Answered);
    CHECK(response.body == "ok");

    // Nothing else is asked of the client; its own timer must close the connection.
    const auto deadline = Clock::now() + 6s;
    while (expired == 0 && Clock::now() < deadline) io.run_one_for(100ms);
    CHECK(expired == 1);
    const auto deadline_peer = Clock::now() + 2s;
    while (answering.closed_at == 0 && Clock::now() < deadline_peer) std::this_thread::sleep_for(10ms);
    REQUIRE(answering.closed_at != 0);
    CHECK(answering.kept() >= 900ms);  // pooled for max_idle_time first
    CHECK(answering.kept() < 5s);      // well before the peer's own 8 s, on a loaded (sanitizer) runner too
    CHECK(client.connections_opened() == 1);
}

TEST_CASE("client pool: within max_idle_time the connection is reused, and the timer stays quiet", "[http-client]") {
    std::atomic<int> requests{0};
    test::ScriptedPeer peer([&](int socket) {
        test::send_text(socket, kAnswer);
        ++requests;
        // The second request on the same connection.
        if (test::read_request_head(socket).empty()) return;
        ++requests;
        test::send_text(socket, kAnswer);
        wait_for_eof(socket, 5s);
    });

    net::asio::io_context io;
    std::size_t expired = 0;
    net::HttpClient client(io, nullptr,
                           {.max_idle_time = 30s, .on_idle_closed = [&expired](std::size_t n) { expired += n; }});
    const net::Endpoint endpoint{.tls = false, .host = "127.0.0.1", .port = peer.port};
    const net::ClientResponse first = net::run_blocking(io, client.send(endpoint, get(), 5s));
    REQUIRE(first.kind == net::ClientResponse::Kind::Answered);
    const net::ClientResponse second = net::run_blocking(io, client.send(endpoint, get(), 5s));
    REQUIRE(second.kind == net::ClientResponse::Kind::Answered);
    CHECK(second.reused_connection);
    CHECK(client.connections_opened() == 1);
    CHECK(requests == 2);
    io.run_for(200ms);
    CHECK(expired == 0);
}

TEST_CASE("client pool: with pooling off the connection is closed after its answer", "[http-client]") {
    AnswerOnce answering;

    net::asio::io_context io;
    std::size_t expired = 0;
    net::HttpClient client(io, nullptr,
                           {.max_idle_per_endpoint = 0, .on_idle_closed = [&expired](std::size_t n) { expired += n; }});
    const net::Endpoint endpoint{.tls = false, .host = "127.0.0.1", .port = answering.peer.port};
    const net::ClientResponse response = net::run_blocking(io, client.send(endpoint, get(), 5s));
    REQUIRE(response.kind == net::ClientResponse::Kind::Answered);
    const auto deadline = Clock::now() + 5s;
    while (answering.closed_at == 0 && Clock::now() < deadline) io.run_one_for(50ms);
    REQUIRE(answering.closed_at != 0);
    CHECK(answering.kept() < 900ms);  // not pooled, not kept
    CHECK(expired == 0);              // closed for the cap, not for its age
}

TEST_CASE("client pool: bytes after a TLS answer, already read ahead, keep the connection out of the pool",
          "[http-client]") {
    namespace ssl = boost::asio::ssl;
    using tcp = boost::asio::ip::tcp;
    auto pair = app::generate_certificate({"localhost", "127.0.0.1"}, -60s, 3600s);
    REQUIRE(pair.ok());
    auto server_tls = net::make_server_tls_from_pem(pair.value().cert_pem, pair.value().key_pem);
    REQUIRE(server_tls.ok());

    // The peer, on its own thread: on the first connection an answer and,
    // in the same TCP segment, a second record with an answer of its own
    // that no request asked for; on the second connection a fresh answer.
    net::asio::io_context peer_io;
    tcp::acceptor acceptor(peer_io, tcp::endpoint(net::asio::ip::make_address("127.0.0.1"), 0));
    std::atomic<int> served{0};
    std::thread peer([&] {
        for (int connection = 0; connection < 2; ++connection) {
            boost::system::error_code ec;
            ssl::stream<tcp::socket> stream(peer_io, *server_tls.value());
            acceptor.accept(stream.next_layer(), ec);
            if (ec) return;
            stream.handshake(ssl::stream_base::server, ec);
            boost::asio::streambuf head;
            if (ec || (boost::asio::read_until(stream, head, "\r\n\r\n", ec), ec)) return;
            const int fd = stream.next_layer().native_handle();
            int on = 1, off = 0;
            ::setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
            if (connection == 0) {
                boost::asio::write(stream, boost::asio::buffer(std::string(kAnswer)), ec);
                boost::asio::write(stream, boost::asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale")), ec);
            } else {
                boost::asio::write(stream, boost::asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh")), ec);
            }
            ::setsockopt(fd, IPPROTO_TCP, TCP_CORK, &off, sizeof off);
            ++served;
            char byte = 0;
            boost::asio::read(stream, boost::asio::buffer(&byte, 1), ec);  // until the client has gone
        }
    });

    net::asio::io_context io;
    auto client_tls = std::make_shared<ssl::context>(ssl::context::tls_client);
    client_tls->add_certificate_authority(boost::asio::buffer(pair.value().cert_pem));
    auto client = std::make_unique<net::HttpClient>(io, client_tls, net::HttpClientOptions{.max_idle_time = 30s});
    const net::Endpoint endpoint{.tls = true, .host = "127.0.0.1", .port = acceptor.local_endpoint().port()};
    const net::ClientResponse first = net::run_blocking(io, client->send(endpoint, get(), 5s));
    const net::ClientResponse second = net::run_blocking(io, client->send(endpoint, get(), 5s));
    const std::size_t opened = client->connections_opened();
    client.reset();                                          // its pooled connection closes: the peer's read ends
    ::shutdown(acceptor.native_handle(), SHUT_RDWR);         // and an accept still waiting, if any
    peer.join();
    REQUIRE(first.kind == net::ClientResponse::Kind::Answered);
    CHECK(first.body == "ok");
    REQUIRE(second.kind == net::ClientResponse::Kind::Answered);
    // Reused, the first connection would have answered with what was left on it.
    CHECK(second.body == "fresh");
    CHECK_FALSE(second.reused_connection);
    CHECK(opened == 2);
    CHECK(served == 2);
}
