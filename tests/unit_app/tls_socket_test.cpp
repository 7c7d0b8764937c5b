// TlsSocket and TimedSocket against Asio's own TLS stream as the peer: the
// handshake, data both ways (many records, partial writes), close_notify
// and truncation told apart, the deadline and cancel(), a peer that is not
// speaking TLS, and a peer gone mid-write (an error, never SIGPIPE).

#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "app/serving_certificate.hpp"
#include "net/tls_context.hpp"
#include "net/tls_socket.hpp"

using namespace aia;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// Runs `io` until `done()`, or at most 10 s. Not until it runs out of work:
// a TimedSocket's deadline timer may run on after its wait has ended.
template <class Done>
void run_until(asio::io_context& io, Done done) {
    io.restart();
    for (const auto until = std::chrono::steady_clock::now() + 10s; !done() && std::chrono::steady_clock::now() < until;)
        io.run_one_for(100ms);
}

// A connected pair on loopback: `server` is ours, `client` is Asio's.
struct Connected {
    asio::io_context io;
    std::shared_ptr<ssl::context> server_tls;
    ssl::context client_tls{ssl::context::tls_client};
    std::optional<net::TlsSocket> server;
    std::optional<ssl::stream<tcp::socket>> client;

    Connected() {
        auto pair = app::generate_certificate({"localhost", "127.0.0.1"}, -60s, 3600s);
        REQUIRE(pair.ok());
        auto made = net::make_server_tls_from_pem(pair.value().cert_pem, pair.value().key_pem);
        REQUIRE(made.ok());
        server_tls = std::move(made).value();
        client_tls.add_certificate_authority(asio::buffer(pair.value().cert_pem));
        client_tls.set_verify_mode(ssl::verify_peer);

        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        tcp::socket outgoing(io);
        outgoing.connect(acceptor.local_endpoint());
        server.emplace(acceptor.accept(), *server_tls);
        client.emplace(std::move(outgoing), client_tls);
        client->set_verify_callback(ssl::host_name_verification("localhost"));
    }

    template <class Done>
    void run(Done done) {
        run_until(io, done);
    }

    void handshake() {
        std::optional<error_code> ours, theirs;
        server->async_handshake(ssl::stream_base::server, [&](error_code ec) { ours = ec; });
        client->async_handshake(ssl::stream_base::client, [&](error_code ec) { theirs = ec; });
        run([&] { return ours && theirs; });
        REQUIRE(ours == error_code{});
        REQUIRE(theirs == error_code{});
    }

    // One read of ours (at most 64 bytes), which must succeed: what it got.
    std::string read_some() {
        std::string received(64, '\0');
        std::optional<error_code> error;
        std::size_t bytes = 0;
        server->async_read_some(asio::buffer(received), [&](error_code ec, std::size_t n) {
            error = ec;
            bytes = n;
        });
        run([&] { return error.has_value(); });
        REQUIRE(error == error_code{});
        return received.substr(0, bytes);
    }

    net::TimedSocket& lowest() { return server->next_layer(); }
};

std::string pattern(std::size_t size) {
    std::string text(size, '\0');
    for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + i % 23);
    return text;
}

}  // namespace

TEST_CASE("TlsSocket: handshake, a wait that holds no buffer, data both ways, close_notify", "[tls]") {
    Connected c;
    c.handshake();

    // Ready to read only once the peer has sent something.
    std::optional<error_code> readable;
    c.server->async_wait_readable([&](error_code ec, std::size_t) { readable = ec; });
    c.io.restart();
    c.io.run_for(100ms);
    CHECK_FALSE(readable.has_value());
    asio::write(*c.client, asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")));
    c.run([&] { return readable.has_value(); });
    REQUIRE(readable == error_code{});

    CHECK(c.read_some() == "GET / HTTP/1.1\r\n\r\n");

    // Larger than a record, and than a socket buffer: partial writes.
    const std::string big = pattern(3 * 1024 * 1024 + 17);
    std::string arrived(big.size(), '\0');
    std::optional<error_code> wrote, got;
    asio::async_write(*c.server, asio::buffer(big), [&](error_code ec, std::size_t) { wrote = ec; });
    asio::async_read(*c.client, asio::buffer(arrived), [&](error_code ec, std::size_t) { got = ec; });
    c.run([&] { return wrote && got; });
    REQUIRE(wrote == error_code{});
    REQUIRE(got == error_code{});
    CHECK(arrived == big);

    // The peer's close_notify is the end of the stream, not an error.
    std::optional<error_code> theirs_closed, ours_read;
    char scratch[16];
    c.client->async_shutdown([&](error_code ec) { theirs_closed = ec; });
    c.server->async_read_some(asio::buffer(scratch), [&](error_code ec, std::size_t) { ours_read = ec; });
    // Only until our read ends: their shutdown waits for our close_notify.
    c.run([&] { return ours_read.has_value(); });
    CHECK(ours_read == asio::error::eof);
    std::optional<error_code> ours_closed;
    c.server->async_shutdown([&](error_code ec) { ours_closed = ec; });
    c.run([&] { return ours_closed && theirs_closed; });
    CHECK(ours_closed == error_code{});
    CHECK(theirs_closed == error_code{});
}

TEST_CASE("TlsSocket: records read ahead of the reader wait in OpenSSL, and the wait counts them", "[tls]") {
    Connected c;
    c.handshake();
    // Two records, both on our side of the connection before we read.
    asio::write(*c.client, asio::buffer(std::string("first")));
    asio::write(*c.client, asio::buffer(std::string("second")));
    for (const auto until = std::chrono::steady_clock::now() + 10s;
         c.lowest().socket().available() < 2 * 27 && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(1ms);  // 27: a record's header and tag around "first"
    }

    CHECK(c.read_some() == "first");
    // The second record came in with the first read: the socket is empty...
    CHECK(c.lowest().socket().available() == 0);
    // ...and the wait for the next request still completes, from OpenSSL's buffer.
    std::optional<error_code> readable;
    c.server->async_wait_readable([&](error_code ec, std::size_t) { readable = ec; });
    c.io.restart();
    c.io.run_for(2s);
    REQUIRE(readable == error_code{});
    CHECK(c.read_some() == "second");
}

TEST_CASE("TlsSocket: a connection cut without close_notify is reported as truncated", "[tls]") {
    Connected c;
    c.handshake();
    // A FIN, not a reset: close() with the session tickets unread would reset.
    c.client->next_layer().shutdown(tcp::socket::shutdown_send);
    std::optional<error_code> read_error;
    char scratch[16];
    c.server->async_read_some(asio::buffer(scratch), [&](error_code ec, std::size_t) { read_error = ec; });
    c.run([&] { return read_error.has_value(); });
    REQUIRE(read_error.has_value());
    INFO(read_error->message());
    CHECK(read_error == ssl::error::stream_truncated);
}

TEST_CASE("TlsSocket: the deadline ends a wait with a timeout and closes the socket", "[tls]") {
    Connected c;
    c.lowest().expires_after(2s);
    c.handshake();
    c.lowest().expires_after(50ms);
    std::optional<error_code> outcome;
    const auto started = std::chrono::steady_clock::now();
    c.server->async_wait_readable([&](error_code ec, std::size_t) { outcome = ec; });
    c.run([&] { return outcome.has_value(); });
    const auto waited = std::chrono::steady_clock::now() - started;
    CHECK(outcome == boost::beast::error::timeout);
    CHECK(waited >= 40ms);
    CHECK(waited < 2s);
    CHECK_FALSE(c.lowest().socket().is_open());

    // Nothing more goes through the closed socket (the descriptor's number
    // may already be another connection's): an error, not a write.
    std::optional<error_code> wrote;
    c.server->async_write_some(asio::buffer(std::string("late")), [&](error_code ec, std::size_t) { wrote = ec; });
    c.run([&] { return wrote.has_value(); });
    REQUIRE(wrote.has_value());
    CHECK(*wrote);
}

TEST_CASE("TlsSocket: cancel() ends a wait and leaves the connection usable", "[tls]") {
    Connected c;
    c.handshake();
    std::optional<error_code> outcome;
    c.server->async_wait_readable([&](error_code ec, std::size_t) { outcome = ec; });
    asio::post(c.io, [&] { c.lowest().cancel(); });
    c.run([&] { return outcome.has_value(); });
    CHECK(outcome == asio::error::operation_aborted);
    REQUIRE(c.lowest().socket().is_open());

    asio::write(*c.client, asio::buffer(std::string("still here")));
    CHECK(c.read_some() == "still here");
}

TEST_CASE("TlsSocket: a peer that does not speak TLS fails the handshake with OpenSSL's reason", "[tls]") {
    Connected c;
    asio::write(c.client->next_layer(), asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
    std::optional<error_code> outcome;
    c.lowest().expires_after(5s);
    c.server->async_handshake(ssl::stream_base::server, [&](error_code ec) { outcome = ec; });
    c.run([&] { return outcome.has_value(); });
    REQUIRE(outcome.has_value());
    CHECK(outcome->category() == asio::error::get_ssl_category());
    CHECK_FALSE(outcome->message().empty());
}

TEST_CASE("TlsSocket: writing to a peer that has gone is an error, not SIGPIPE", "[tls]") {
    Connected c;
    c.handshake();
    c.client->next_layer().close();
    const std::string chunk = pattern(256 * 1024);
    std::optional<error_code> wrote;
    // Until the kernel has heard of the reset the writes may succeed.
    std::function<void(error_code, std::size_t)> again = [&](error_code ec, std::size_t) {
        if (ec) {
            wrote = ec;
            return;
        }
        asio::async_write(*c.server, asio::buffer(chunk), again);
    };
    asio::async_write(*c.server, asio::buffer(chunk), again);
    c.run([&] { return wrote.has_value(); });
    REQUIRE(wrote.has_value());
    CHECK(*wrote);
}

TEST_CASE("TimedSocket: plain reads and writes, readiness, and the deadline", "[tls]") {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket peer(io);
    peer.connect(acceptor.local_endpoint());
    net::TimedSocket ours(acceptor.accept());

    std::optional<error_code> readable;
    ours.expires_after(5s);
    ours.async_wait_readable([&](error_code ec, std::size_t) { readable = ec; });
    asio::write(peer, asio::buffer(std::string("ping")));
    run_until(io, [&] { return readable.has_value(); });
    REQUIRE(readable == error_code{});

    std::string received(8, '\0');
    std::size_t n = 0;
    ours.async_read_some(asio::buffer(received), [&](error_code, std::size_t bytes) { n = bytes; });
    run_until(io, [&] { return n > 0; });
    CHECK(received.substr(0, n) == "ping");

    std::optional<error_code> wrote;
    ours.async_write_some(asio::buffer(std::string("pong")), [&](error_code ec, std::size_t) { wrote = ec; });
    run_until(io, [&] { return wrote.has_value(); });
    REQUIRE(wrote == error_code{});
    std::string echoed(4, '\0');
    asio::read(peer, asio::buffer(echoed));
    CHECK(echoed == "pong");

    std::optional<error_code> late;
    ours.expires_after(30ms);
    ours.async_read_some(asio::buffer(received), [&](error_code ec, std::size_t) { late = ec; });
    run_until(io, [&] { return late.has_value(); });
    CHECK(late == boost::beast::error::timeout);
    CHECK_FALSE(ours.socket().is_open());
}

namespace {

// Ours as the client this time, Asio's stream serving the certificate
// (named localhost and 127.0.0.1). The handshake's outcome on our side.
error_code client_handshake(const std::string& name, bool verify) {
    asio::io_context io;
    auto pair = app::generate_certificate({"localhost", "127.0.0.1"}, -60s, 3600s);
    REQUIRE(pair.ok());
    auto server_tls = net::make_server_tls_from_pem(pair.value().cert_pem, pair.value().key_pem);
    REQUIRE(server_tls.ok());
    ssl::context client_tls(ssl::context::tls_client);
    client_tls.add_certificate_authority(asio::buffer(pair.value().cert_pem));

    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket outgoing(io);
    outgoing.connect(acceptor.local_endpoint());
    ssl::stream<tcp::socket> server(acceptor.accept(), *server_tls.value());
    net::TlsSocket ours(std::move(outgoing), client_tls);
    REQUIRE(ours.expect_peer(name, verify));

    std::optional<error_code> outcome;
    ours.next_layer().expires_after(5s);
    ours.async_handshake(ssl::stream_base::client, [&](error_code ec) { outcome = ec; });
    bool served = false;
    server.async_handshake(ssl::stream_base::server, [&](error_code) { served = true; });
    run_until(io, [&] { return outcome && served; });
    REQUIRE(outcome.has_value());
    return *outcome;
}

}  // namespace

TEST_CASE("TimedSocket: each wait ends at its own deadline, whatever timer an earlier wait left running", "[tls]") {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket peer(io);
    peer.connect(acceptor.local_endpoint());
    net::TimedSocket ours(acceptor.accept());
    std::string received(8, '\0');
    std::optional<error_code> second;  // how the second wait ended

    // A wait that ends at once, then a second with nothing to read for up
    // to 1.5 s: how long the second lasted.
    const auto quick_then_quiet = [&](auto first_deadline, auto set_second_deadline) {
        // The byte is there first: however slow this thread, the first
        // wait ends before its deadline, leaving its timer running.
        asio::write(peer, asio::buffer(std::string("x")));
        ours.expires_after(first_deadline);
        std::optional<error_code> first;
        ours.async_wait_readable([&](error_code ec, std::size_t) { first = ec; });
        run_until(io, [&] { return first.has_value(); });  // only until it ends
        REQUIRE(first == error_code{});
        REQUIRE(ours.socket().read_some(asio::buffer(received)) == 1);

        set_second_deadline();
        const auto started = std::chrono::steady_clock::now();
        ours.async_wait_readable([&](error_code ec, std::size_t) { second = ec; });
        io.restart();
        io.run_for(1500ms);
        return std::chrono::steady_clock::now() - started;
    };

    SECTION("a later deadline than the running timer's: the timer runs on to it") {
        const auto waited = quick_then_quiet(300ms, [&] { ours.expires_after(800ms); });
        CHECK(second == boost::beast::error::timeout);
        CHECK(waited >= 750ms);
        CHECK(waited < 1400ms);
        CHECK_FALSE(ours.socket().is_open());
    }
    SECTION("an earlier deadline than the running timer's: the timer starts over") {
        const auto waited = quick_then_quiet(5s, [&] { ours.expires_after(60ms); });
        CHECK(second == boost::beast::error::timeout);
        CHECK(waited >= 50ms);
        CHECK(waited < 1s);
        CHECK_FALSE(ours.socket().is_open());
    }
    SECTION("no deadline: the timer left running ends nothing") {
        quick_then_quiet(300ms, [&] { ours.expires_never(); });
        CHECK_FALSE(second.has_value());
        CHECK(ours.socket().is_open());
        asio::write(peer, asio::buffer(std::string("y")));
        run_until(io, [&] { return second.has_value(); });
        CHECK(second == error_code{});
    }
}

TEST_CASE("TlsSocket: as a client it checks the name it was given against the certificate", "[tls]") {
    CHECK(client_handshake("localhost", true) == error_code{});
    CHECK(client_handshake("127.0.0.1", true) == error_code{});
    const error_code wrong_name = client_handshake("sts.amazonaws.com", true);
    CHECK(wrong_name.category() == asio::error::get_ssl_category());
    CHECK_THAT(wrong_name.message(), Catch::Contains("certificate verify failed"));
    CHECK(client_handshake("127.0.0.2", true));
    // Unverified on purpose (an operator's insecure setting): any name.
    CHECK(client_handshake("sts.amazonaws.com", false) == error_code{});
}
