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
    wait_until = deadline;
    if (wait_until == clock::time_point::max()) return;
    // A timer that fires first looks again then; one that would fire too
    // late (or none) starts over. A deadline already past fires at once:
    // the wait still ends from the executor, with the timeout.
    if (timer_until > wait_until) run_timer_until(self, wait_until);
}

boost::system::error_code TimedSocket::State::disarm(boost::system::error_code ec) {
    wait_until = clock::time_point::max();  // the timer, still running, finds no wait to end
    if (expired) {
        expired = false;
        // The timer closed the socket; whatever the wait said, it timed out.
        if (ec || !socket.is_open()) return boost::beast::error::timeout;
    }
    return ec;
}

void TimedSocket::State::run_timer_until(const std::shared_ptr<State>& self, clock::time_point until) {
    timer_until = until;
    const std::uint64_t number = ++timer_number;
    timer.expires_at(until);  // a run it replaces ends with operation_aborted, and is told apart by its number
    timer.async_wait([weak = std::weak_ptr<State>(self), number](boost::system::error_code ec) {
        const std::shared_ptr<State> state = weak.lock();
        if (!state || state->timer_number != number) return;
        state->timer_until = clock::time_point::max();
        if (!ec) state->timer_fired(state);
    });
}

void TimedSocket::State::timer_fired(const std::shared_ptr<State>& self) {
    if (wait_until == clock::time_point::max()) return;  // no wait in progress: the timer rests
    if (clock::now() < wait_until) {
        run_timer_until(self, wait_until);  // a later wait than the one it was started for
        return;
    }
    expired = true;
    boost::system::error_code ignored;
    socket.close(ignored);
}

}  // namespace aia::net
