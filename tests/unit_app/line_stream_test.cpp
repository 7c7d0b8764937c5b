// HttpClient::stream_lines against a scripted plain-HTTP peer: lines as they
// arrive (not once a buffer fills), chunk boundaries anywhere, the handler
// ending the stream, error answers read whole, and every bound.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.hpp"
#include "net/run_blocking.hpp"
#include "support/scripted_peer.hpp"

using namespace aia;
using namespace std::chrono_literals;
using aia::test::ScriptedPeer;
using aia::test::send_text;

namespace {

std::string chunk(const std::string& data) {
    char size[16];
    std::snprintf(size, sizeof size, "%zx", data.size());
    return std::string(size) + "\r\n" + data + "\r\n";
}

constexpr const char* kStreamHeaders =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

struct Streamed {
    net::ClientResponse response;
    std::vector<std::string> lines;
};

Streamed stream(std::uint16_t port, net::LineStreamOptions options = {},
                std::function<bool(const std::string&)> keep_going = nullptr) {
    net::asio::io_context io;
    net::HttpClient client(io, nullptr);
    Streamed out;
    const net::Endpoint endpoint{.tls = false, .host = "127.0.0.1", .port = port};
    net::ClientRequest request{.target = "/api/v1/namespaces/kube-system/configmaps?watch=true",
                               .headers = {{"Host", "127.0.0.1"}}};
    out.response = net::run_blocking(io, client.stream_lines(endpoint, request, options, [&](std::string_view line) {
        out.lines.emplace_back(line);
        return keep_going ? keep_going(out.lines.back()) : true;
    }));
    return out;
}

}  // namespace

TEST_CASE("line stream: lines cut anywhere by chunks arrive whole and in order", "[line-stream]") {
    ScriptedPeer peer([](int socket) {
        send_text(socket, kStreamHeaders);
        for (const char* piece :
             {"{\"type\":\"ADDED\"", "}\n{\"type\":", "\"MODIFIED\"}\r\n\n{\"type\":\"DEL", "ETED\"}\n"})
            send_text(socket, chunk(piece));
        send_text(socket, chunk(""));
    });
    const Streamed got = stream(peer.port);
    CHECK(got.response.kind == net::ClientResponse::Kind::Answered);
    CHECK(got.response.status == 200);
    CHECK(got.lines ==
          std::vector<std::string>{R"({"type":"ADDED"})", R"({"type":"MODIFIED"})", R"({"type":"DELETED"})"});
}

TEST_CASE("line stream: each line is handed over as it arrives, before the next is sent", "[line-stream]") {
    std::atomic<bool> first_seen{false};
    ScriptedPeer peer([&](int socket) {
        send_text(socket, kStreamHeaders);
        send_text(socket, chunk("{\"n\":1}\n"));
        // The second line only once the client has the first: a client that
        // waited for a full buffer would wait forever (until its idle timeout).
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (!first_seen && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
        send_text(socket, chunk("{\"n\":2}\n") + chunk(""));
    });
    const Streamed got = stream(peer.port, {.idle_timeout = 3s}, [&](const std::string&) {
        first_seen = true;
        return true;
    });
    CHECK(got.response.kind == net::ClientResponse::Kind::Answered);
    CHECK(got.lines == std::vector<std::string>{R"({"n":1})", R"({"n":2})"});
}

TEST_CASE("line stream: the handler ends the stream", "[line-stream]") {
    ScriptedPeer peer([](int socket) {
        send_text(socket, kStreamHeaders);
        send_text(socket, chunk("a\nb\nc\n"));
        std::this_thread::sleep_for(200ms);  // the client has gone by now
    });
    const Streamed got = stream(peer.port, {}, [](const std::string& line) { return line != "b"; });
    CHECK(got.response.kind == net::ClientResponse::Kind::Answered);
    CHECK(got.lines == std::vector<std::string>{"a", "b"});
}

TEST_CASE("line stream: an error answer is read whole and returned, no lines", "[line-stream]") {
    const std::string status = R"({"kind":"Status","code":410,"reason":"Expired"})";
    ScriptedPeer peer([&](int socket) {
        send_text(socket, "HTTP/1.1 410 Gone\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(status.size()) + "\r\n\r\n" + status);
    });
    const Streamed got = stream(peer.port);
    CHECK(got.response.kind == net::ClientResponse::Kind::Answered);
    CHECK(got.response.status == 410);
    CHECK(got.response.body == status);
    CHECK(got.lines.empty());
}

TEST_CASE("line stream: a line over the bound, a cut stream and silence end it as failures", "[line-stream]") {
    SECTION("too long") {
        ScriptedPeer peer([](int socket) { send_text(socket, kStreamHeaders + chunk("short\n0123456789abcdef")); });
        const Streamed got = stream(peer.port, {.max_line_bytes = 10});
        CHECK(got.response.kind == net::ClientResponse::Kind::Broken);
        CHECK(got.response.status == 200);
        CHECK(got.response.error == "a line longer than 10 bytes");
        CHECK(got.lines == std::vector<std::string>{"short"});
    }
    SECTION("cut inside a chunk") {
        ScriptedPeer peer([](int socket) { send_text(socket, std::string(kStreamHeaders) + "20\r\n{\"half\":"); });
        const Streamed got = stream(peer.port);
        CHECK(got.response.kind == net::ClientResponse::Kind::Broken);
        CHECK_THAT(got.response.error, Catch::StartsWith("stream broken: "));
    }
    SECTION("ended inside a line") {
        ScriptedPeer peer([](int socket) { send_text(socket, kStreamHeaders + chunk("{\"half\":") + chunk("")); });
        const Streamed got = stream(peer.port);
        CHECK(got.response.kind == net::ClientResponse::Kind::Broken);
        CHECK(got.response.error == "the stream ended inside a line");
    }
    SECTION("silent past the idle timeout") {
        ScriptedPeer peer([](int socket) {
            send_text(socket, kStreamHeaders + chunk("one\n"));
            std::this_thread::sleep_for(1500ms);
        });
        const auto started = std::chrono::steady_clock::now();
        const Streamed got = stream(peer.port, {.idle_timeout = 200ms});
        CHECK(got.response.kind == net::ClientResponse::Kind::TimedOut);
        CHECK(got.lines == std::vector<std::string>{"one"});
        CHECK(std::chrono::steady_clock::now() - started < 1400ms);
    }
    SECTION("no headers in time") {
        ScriptedPeer peer([](int) { std::this_thread::sleep_for(1500ms); });
        const Streamed got = stream(peer.port, {.header_timeout = 200ms});
        CHECK(got.response.kind == net::ClientResponse::Kind::TimedOut);
    }
}
