#pragma once
// A TCP socket whose operations run against one deadline, as
// beast::tcp_stream's do, and which can wait for bytes without holding a
// buffer: an idle keep-alive connection then costs the socket and a few
// bytes of state, not a read buffer (see TlsSocket, built on it).
//
// Usage:
//   TimedSocket socket(std::move(accepted));      // made non-blocking here
//   socket.expires_after(5s);                     // for the operations that follow
//   co_await socket.async_wait_readable(token);   // beast::error::timeout after 5 s
//   n = co_await socket.async_read_some(buffer, token);
//
// One operation at a time (one deadline timer serves them all): enough for
// HTTP/1.1 as the server and the client speak it, strictly in turn. When the
// deadline passes the socket is closed (as Beast does) and the pending
// operation ends with beast::error::timeout; cancel() ends it with
// operation_aborted and leaves the socket open.

#include "net/asio.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

namespace aia::net {

// What one non-blocking attempt at an operation came to.
struct Attempt {
    enum class Next { Done, WaitReadable, WaitWritable };
    Next next = Next::Done;
    boost::system::error_code error;  // when Done
    std::size_t bytes = 0;            // when Done

    static Attempt done(boost::system::error_code error, std::size_t bytes = 0) { return {Next::Done, error, bytes}; }
    static Attempt wait_readable() { return {Next::WaitReadable, {}, 0}; }
    static Attempt wait_writable() { return {Next::WaitWritable, {}, 0}; }
};

class TimedSocket {
public:
    using executor_type = asio::ip::tcp::socket::executor_type;
    using clock = std::chrono::steady_clock;

    explicit TimedSocket(asio::ip::tcp::socket socket);

    executor_type get_executor() { return state_->socket.get_executor(); }
    asio::ip::tcp::socket& socket() { return state_->socket; }

    // The deadline for the operations that follow (until changed).
    void expires_after(clock::duration timeout) { state_->deadline = clock::now() + timeout; }
    void expires_at(clock::time_point deadline) { state_->deadline = deadline; }
    void expires_never() { state_->deadline = clock::time_point::max(); }
    // Ends the pending operations with operation_aborted.
    void cancel();

    // Runs `attempt` (a callable returning Attempt, tried without blocking)
    // until it is Done, waiting for the socket as it asks, within the
    // deadline. Completes with (error, bytes), or (error) when `Bytes` is
    // false; never inside this call.
    template <bool Bytes = true, class AttemptFn, class Token>
    auto async_until_done(AttemptFn attempt, Token&& token);

    // Completes once bytes (or the end of the stream) can be read; at once
    // (from the executor) when `ready` says some already wait elsewhere.
    // The idle connection's one pending operation, so kept lean: the
    // socket's own wait and the deadline, no composed operation.
    template <class Token>
    auto async_wait_readable(Token&& token, bool ready = false) {
        return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [](auto handler, std::shared_ptr<State> state, bool ready_now) {
                // The handler runs where it asked to (its associated executor).
                const auto where = asio::get_associated_executor(handler, state->socket.get_executor());
                if (ready_now) {
                    asio::post(where, [handler = std::move(handler)]() mutable { std::move(handler)({}, 0); });
                    return;
                }
                state->arm(state);
                State& waiting = *state;
                waiting.socket.async_wait(
                    asio::ip::tcp::socket::wait_read,
                    asio::bind_executor(where, [handler = std::move(handler),
                                                state = std::move(state)](boost::system::error_code ec) mutable {
                        ec = state->disarm(ec);
                        std::move(handler)(ec, 0);
                    }));
            },
            token, state_, ready);
    }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return async_until_done(
            [socket = &state_->socket, buffers] {
                boost::system::error_code ec;
                const std::size_t n = socket->read_some(buffers, ec);
                if (ec == asio::error::would_block) return Attempt::wait_readable();
                return Attempt::done(ec, n);
            },
            std::forward<Token>(token));
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return async_until_done(
            [socket = &state_->socket, buffers] {
                boost::system::error_code ec;
                const std::size_t n = socket->write_some(buffers, ec);
                if (ec == asio::error::would_block) return Attempt::wait_writable();
                return Attempt::done(ec, n);
            },
            std::forward<Token>(token));
    }

    // Heap-held so that its address outlives moves of the TimedSocket and
    // a timer that fires after the socket is gone finds nothing to close.
    //
    // The timer is lazy: a wait leaves it running when it fires no later
    // than the wait's deadline, and when it fires it looks at the wait in
    // progress then (none: it stops; one whose deadline is still ahead: it
    // runs on to that). A keep-alive connection's waits, each with a later
    // deadline than the one before, so cost no timer operation each, only
    // one every timeout's length.
    struct State {
        explicit State(asio::ip::tcp::socket s);
        asio::ip::tcp::socket socket;
        asio::steady_timer timer;
        clock::time_point deadline = clock::time_point::max();     // for the waits that follow
        clock::time_point wait_until = clock::time_point::max();   // the wait in progress; max: none, or no deadline
        clock::time_point timer_until = clock::time_point::max();  // when the timer fires; max: not running
        std::uint64_t timer_number = 0;  // tells the timer's current run from one it replaced
        bool expired = false;            // the timer closed the socket during the wait in progress

        // Before a wait: the socket is closed once its deadline has passed.
        void arm(const std::shared_ptr<State>& self);
        // After it: what the wait's error means.
        boost::system::error_code disarm(boost::system::error_code ec);

    private:
        void run_timer_until(const std::shared_ptr<State>& self, clock::time_point until);
        void timer_fired(const std::shared_ptr<State>& self);
    };

private:
    std::shared_ptr<State> state_;
};

namespace detail {

template <bool Bytes, class AttemptFn>
class UntilDone {
public:
    UntilDone(std::shared_ptr<TimedSocket::State> state, AttemptFn attempt)
        : state_(std::move(state)), attempt_(std::move(attempt)) {}

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}) {
        if (finishing_) return complete(self, result_.error, result_.bytes);
        if (waiting_) {
            waiting_ = false;
            ec = state_->disarm(ec);
            if (ec) return complete(self, ec, 0);
        }
        Attempt attempt = attempt_();
        if (attempt.next != Attempt::Next::Done) {
            waiting_ = suspended_ = true;
            state_->arm(state_);
            const auto type = attempt.next == Attempt::Next::WaitReadable ? asio::ip::tcp::socket::wait_read
                                                                          : asio::ip::tcp::socket::wait_write;
            return state_->socket.async_wait(type, std::move(self));
        }
        if (suspended_) return complete(self, attempt.error, attempt.bytes);
        // Done at once: complete from the executor, as Asio's own
        // operations do, never inside the initiating call.
        finishing_ = true;
        result_ = attempt;
        asio::post(std::move(self));
    }

private:
    template <class Self>
    static void complete(Self& self, boost::system::error_code ec, std::size_t bytes) {
        if constexpr (Bytes)
            self.complete(ec, bytes);
        else
            self.complete(ec);
    }

    std::shared_ptr<TimedSocket::State> state_;
    AttemptFn attempt_;
    Attempt result_;
    bool waiting_ = false;
    bool suspended_ = false;
    bool finishing_ = false;
};

}  // namespace detail

template <bool Bytes, class AttemptFn, class Token>
auto TimedSocket::async_until_done(AttemptFn attempt, Token&& token) {
    using Signature =
        std::conditional_t<Bytes, void(boost::system::error_code, std::size_t), void(boost::system::error_code)>;
    return asio::async_compose<Token, Signature>(detail::UntilDone<Bytes, AttemptFn>(state_, std::move(attempt)), token,
                                                 state_->socket);
}

}  // namespace aia::net
