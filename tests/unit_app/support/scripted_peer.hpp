#pragma once
// A plain-HTTP peer on loopback for client tests: accepts one connection,
// reads the request's headers, then runs `script` with the socket. Runs on
// its own thread; the destructor joins it. No Catch assertions inside a
// script (Catch is not thread-safe): report through atomics instead.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace aia::test {

// A request's line and headers, read byte by byte up to the blank line;
// empty when the connection ended first.
inline std::string read_request_head(int socket) {
    std::string head;
    char byte = 0;
    while (head.find("\r\n\r\n") == std::string::npos && ::read(socket, &byte, 1) == 1) head += byte;
    return head;
}

class ScriptedPeer {
public:
    explicit ScriptedPeer(std::function<void(int socket)> script) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(listener_, 1) == 0);
        socklen_t length = sizeof address;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        port = ntohs(address.sin_port);
        thread_ = std::thread([this, script = std::move(script)] {
            const int peer = ::accept(listener_, nullptr, nullptr);
            if (peer < 0) return;
            read_request_head(peer);
            script(peer);
            ::close(peer);
        });
    }
    ~ScriptedPeer() {
        ::shutdown(listener_, SHUT_RDWR);
        thread_.join();
        ::close(listener_);
    }
    ScriptedPeer(const ScriptedPeer&) = delete;
    ScriptedPeer& operator=(const ScriptedPeer&) = delete;

    std::uint16_t port = 0;

private:
    int listener_ = -1;
    std::thread thread_;
};

// On the peer's thread: a failed write shows as the client's result instead.
inline void send_text(int socket, const std::string& text) {
    if (::write(socket, text.data(), text.size()) < 0) return;
}

}  // namespace aia::test
