#include "net/tls_socket.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/system/system_error.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <sys/socket.h>

#include <cerrno>

namespace aia::net {
namespace {

using tcp = asio::ip::tcp;

// The BIO OpenSSL reads and writes the connection through. Not OpenSSL's
// socket BIO: that one writes with write(2), which raises SIGPIPE when the
// peer has gone; and it would keep using the descriptor's number after the
// deadline closed the socket, when the number may already belong to
// another connection. This one goes through Asio's socket object, which
// knows it is closed, and sends with MSG_NOSIGNAL.

// The BIO's socket, or null (errno EBADF) once the deadline has closed it.
tcp::socket* open_socket_of(BIO* bio) {
    BIO_clear_retry_flags(bio);
    auto* socket = static_cast<tcp::socket*>(BIO_get_data(bio));
    if (socket->is_open()) return socket;
    errno = EBADF;
    return nullptr;
}

int bio_write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
    tcp::socket* socket = open_socket_of(bio);
    if (socket == nullptr) return 0;
    for (;;) {
        const ssize_t sent = ::send(socket->native_handle(), data, size, MSG_NOSIGNAL);
        if (sent >= 0) {
            *written = static_cast<std::size_t>(sent);
            return 1;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
        return 0;
    }
}

int bio_read(BIO* bio, char* data, std::size_t size, std::size_t* read) {
    tcp::socket* socket = open_socket_of(bio);
    if (socket == nullptr) return 0;
    for (;;) {
        const ssize_t received = ::recv(socket->native_handle(), data, size, 0);
        if (received > 0) {
            *read = static_cast<std::size_t>(received);
            return 1;
        }
        if (received == 0) {
            BIO_set_flags(bio, BIO_FLAGS_IN_EOF);  // OpenSSL asks (BIO_CTRL_EOF) to tell truncation
            return 0;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(bio);
        return 0;
    }
}

long bio_ctrl(BIO* bio, int command, long, void*) {
    switch (command) {
        case BIO_CTRL_FLUSH:
            return 1;  // nothing is buffered here
        case BIO_CTRL_EOF:
            return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
        default:
            return 0;
    }
}

int bio_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

const BIO_METHOD* socket_bio_method() {
    static BIO_METHOD* const method = [] {
        BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "asio socket");
        if (made == nullptr) return made;
        BIO_meth_set_write_ex(made, bio_write);
        BIO_meth_set_read_ex(made, bio_read);
        BIO_meth_set_ctrl(made, bio_ctrl);
        BIO_meth_set_create(made, bio_create);
        return made;
    }();
    return method;
}

boost::system::error_code openssl_error(unsigned long code) {
    if (ERR_GET_LIB(code) == ERR_LIB_SSL && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        return asio::ssl::error::stream_truncated;
    }
    return {static_cast<int>(code), asio::error::get_ssl_category()};
}

[[noreturn]] void throw_openssl_error(const char* what) {
    const unsigned long code = ERR_get_error();
    throw boost::system::system_error(openssl_error(code), what);
}

// One call's outcome: done, or which way the socket must become ready
// before it is tried again.
template <class Call>
Attempt attempt(ssl_st* ssl, Call call) {
    ERR_clear_error();
    errno = 0;
    std::size_t bytes = 0;
    const int result = call(bytes);
    if (result == 1) return Attempt::done({}, bytes);
    const int system_error = errno;
    const int reason = SSL_get_error(ssl, result);
    const unsigned long queued = ERR_get_error();
    ERR_clear_error();
    switch (reason) {
        case SSL_ERROR_WANT_READ:
            return Attempt::wait_readable();
        case SSL_ERROR_WANT_WRITE:
            return Attempt::wait_writable();
        case SSL_ERROR_ZERO_RETURN:
            return Attempt::done(asio::error::eof);
        case SSL_ERROR_SYSCALL:
            if (queued != 0) return Attempt::done(openssl_error(queued));
            if (system_error != 0) return Attempt::done({system_error, boost::system::system_category()});
            return Attempt::done(asio::ssl::error::stream_truncated);  // the peer closed mid-stream
        default:
            if (queued != 0) return Attempt::done(openssl_error(queued));
            return Attempt::done(asio::ssl::error::unspecified_system_error);
    }
}

}  // namespace

void TlsSocket::FreeSsl::operator()(ssl_st* ssl) const { SSL_free(ssl); }

TlsSocket::TlsSocket(tcp::socket socket, asio::ssl::context& context) : next_(std::move(socket)) {
    ERR_clear_error();
    ssl_.reset(SSL_new(context.native_handle()));
    if (!ssl_) throw_openssl_error("SSL_new");
    // Partial writes: a write completes after each record, as Asio's
    // streams expect; release buffers: the point of this class.
    SSL_set_mode(ssl_.get(),
                 SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    // Read ahead: one recv(2) takes a record whole, not its 5-byte header
    // first and its body after (a system call less per request). Bytes read
    // early wait in OpenSSL's buffer, which has_pending() counts.
    SSL_set_read_ahead(ssl_.get(), 1);
    BIO* bio = BIO_new(socket_bio_method());
    if (bio == nullptr) throw_openssl_error("BIO_new");
    BIO_set_data(bio, &next_.socket());  // the socket stays at this address (TimedSocket keeps it on the heap)
    SSL_set_bio(ssl_.get(), bio, bio);
}

void TlsSocket::set_role(asio::ssl::stream_base::handshake_type role) {
    if (role == asio::ssl::stream_base::server)
        SSL_set_accept_state(ssl_.get());
    else
        SSL_set_connect_state(ssl_.get());
}

bool TlsSocket::expect_peer(const std::string& name, bool verify) {
    boost::system::error_code not_ip;
    asio::ip::make_address(name, not_ip);
    const bool ip_literal = !not_ip;
    // SSL_set_tlsext_host_name, spelled out: the macro trips -Wold-style-cast.
    if (!ip_literal && SSL_ctrl(ssl_.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                const_cast<char*>(name.c_str())) != 1) {
        return false;
    }
    if (!verify) {
        SSL_set_verify(ssl_.get(), SSL_VERIFY_NONE, nullptr);
        return true;
    }
    SSL_set_verify(ssl_.get(), SSL_VERIFY_PEER, nullptr);
    X509_VERIFY_PARAM* checks = SSL_get0_param(ssl_.get());
    return (ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(checks, name.c_str())
                       : X509_VERIFY_PARAM_set1_host(checks, name.c_str(), name.size())) == 1;
}

bool TlsSocket::has_pending() const { return SSL_has_pending(ssl_.get()) == 1; }

Attempt TlsSocket::handshake_step(ssl_st* ssl) {
    return attempt(ssl, [ssl](std::size_t&) { return SSL_do_handshake(ssl); });
}

Attempt TlsSocket::read_step(ssl_st* ssl, asio::mutable_buffer buffer) {
    if (buffer.size() == 0) return Attempt::done({});
    return attempt(
        ssl, [ssl, buffer](std::size_t& bytes) { return SSL_read_ex(ssl, buffer.data(), buffer.size(), &bytes); });
}

Attempt TlsSocket::write_step(ssl_st* ssl, asio::const_buffer buffer) {
    if (buffer.size() == 0) return Attempt::done({});
    return attempt(
        ssl, [ssl, buffer](std::size_t& bytes) { return SSL_write_ex(ssl, buffer.data(), buffer.size(), &bytes); });
}

Attempt TlsSocket::shutdown_step(ssl_st* ssl) {
    // 0: our close_notify went out; call again to read the peer's (1).
    return attempt(ssl, [ssl](std::size_t&) {
        const int sent = SSL_shutdown(ssl);
        return sent == 0 ? SSL_shutdown(ssl) : sent;
    });
}

}  // namespace aia::net
