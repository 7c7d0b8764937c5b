#include "net/timed_socket.hpp"

namespace aia::net {

TimedSocket::State::State(asio::ip::tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}

TimedSocket::TimedSocket(asio::ip::tcp::socket socket) : state_(std::make_shared<State>(std::move(socket))) {
    // Every attempt is made without blocking; the waits are Asio's.
    boost::system::error_code ignored;
    state_->socket.non_blocking(true, ignored);
}

void TimedSocket::cancel() {
    boost::system::error_code ignored;
    state_->socket.cancel(ignored);
}

void TimedSocket::State::arm(const std::shared_ptr<State>& self) {
    expired = false;
    const std::uint64_t number = ++wait_number;
    armed = deadline != clock::time_point::max();
    if (!armed) return;
    // A deadline already past fires at once: the wait still ends from the
    // executor, with the timeout.
    timer.expires_at(deadline);
    timer.async_wait([weak = std::weak_ptr<State>(self), number](boost::system::error_code ec) {
        const std::shared_ptr<State> state = weak.lock();
        if (ec || !state || state->wait_number != number) return;
        state->expired = true;
        boost::system::error_code ignored;
        state->socket.close(ignored);
    });
}

boost::system::error_code TimedSocket::State::disarm(boost::system::error_code ec) {
    ++wait_number;  // a timer already queued to fire is now stale
    if (armed) timer.cancel();
    armed = false;
    if (expired) {
        expired = false;
        // The timer closed the socket; whatever the wait said, it timed out.
        if (ec || !socket.is_open()) return boost::beast::error::timeout;
    }
    return ec;
}

}  // namespace aia::net
