#pragma once
// TLS over a TimedSocket, OpenSSL reading and writing the socket itself.
//
// Why not asio::ssl::stream: it gives every stream two fixed 17 KiB
// buffers and an OpenSSL BIO pair of 17 KiB a side, about 60 KiB that stay
// with an idle keep-alive connection. Here OpenSSL's record buffers are the
// only buffers, and SSL_MODE_RELEASE_BUFFERS frees them whenever they are
// empty, so an idle connection keeps little more than its SSL object.
//
// Usage (the names asio::ssl::stream uses, so Beast's HTTP reads and
// asio::async_write work on it):
//   TlsSocket tls(std::move(accepted), context);   // throws if SSL_new fails
//   beast::get_lowest_layer(tls).expires_after(5s);
//   co_await tls.async_handshake(ssl::stream_base::server, token);
//   co_await tls.async_wait_readable(token);       // nothing allocated meanwhile
//   n = co_await tls.async_read_some(buffer, token);
//   co_await tls.async_shutdown(token);
//
// Errors are those asio::ssl::stream reports: asio::error::eof after the
// peer's close_notify, ssl::error::stream_truncated when the connection
// ends without one, OpenSSL's reason (ssl category) for a protocol error.

#include "net/timed_socket.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>

#include <memory>
#include <string>

struct ssl_st;

namespace aia::net {

class TlsSocket {
public:
    using executor_type = TimedSocket::executor_type;
    using native_handle_type = ssl_st*;

    TlsSocket(asio::ip::tcp::socket socket, asio::ssl::context& context);

    executor_type get_executor() { return next_.get_executor(); }
    TimedSocket& next_layer() { return next_; }
    native_handle_type native_handle() { return ssl_.get(); }

    // Client side, before the handshake: `name` goes in SNI (unless it is
    // an IP literal, which SNI never carries) and, when `verify`, the
    // peer's certificate must be valid and name it (DNS name or IP
    // address). False when OpenSSL refuses the name.
    bool expect_peer(const std::string& name, bool verify);

    template <class Token>
    auto async_handshake(asio::ssl::stream_base::handshake_type role, Token&& token) {
        set_role(role);
        return next_.async_until_done<false>([ssl = ssl_.get()] { return handshake_step(ssl); },
                                             std::forward<Token>(token));
    }

    // True when OpenSSL holds bytes of the peer's not yet read: decrypted,
    // or records read ahead of the reader.
    bool has_pending() const;

    // Completes once decrypted bytes, or the end of the stream, may be read.
    template <class Token>
    auto async_wait_readable(Token&& token) {
        return next_.async_wait_readable(std::forward<Token>(token), has_pending());
    }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        const auto first = first_buffer<asio::mutable_buffer>(buffers);
        return next_.async_until_done([ssl = ssl_.get(), first] { return read_step(ssl, first); },
                                      std::forward<Token>(token));
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        const auto first = first_buffer<asio::const_buffer>(buffers);
        return next_.async_until_done([ssl = ssl_.get(), first] { return write_step(ssl, first); },
                                      std::forward<Token>(token));
    }

    // Sends close_notify and waits (within the deadline) for the peer's.
    template <class Token>
    auto async_shutdown(Token&& token) {
        return next_.async_until_done<false>([ssl = ssl_.get()] { return shutdown_step(ssl); },
                                             std::forward<Token>(token));
    }

private:
    struct FreeSsl {
        void operator()(ssl_st* ssl) const;
    };

    // OpenSSL takes one buffer per call, as asio::ssl::stream does.
    template <class Buffer, class Buffers>
    static Buffer first_buffer(const Buffers& buffers) {
        for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
            const Buffer buffer(*it);
            if (buffer.size() > 0) return buffer;
        }
        return Buffer{};
    }

    void set_role(asio::ssl::stream_base::handshake_type role);
    // The steps take the SSL object, not `this`: the TlsSocket may move (the
    // SSL object and the socket stay where they are on the heap).
    static Attempt handshake_step(ssl_st* ssl);
    static Attempt read_step(ssl_st* ssl, asio::mutable_buffer buffer);
    static Attempt write_step(ssl_st* ssl, asio::const_buffer buffer);
    static Attempt shutdown_step(ssl_st* ssl);

    // In this order: the SSL object, whose BIO reads the socket, is freed first.
    TimedSocket next_;
    std::unique_ptr<ssl_st, FreeSsl> ssl_;
};

}  // namespace aia::net
