#include "net/waiters.hpp"

#include <algorithm>

namespace aia::net {

awaitable<bool> Waiters::wait(std::chrono::steady_clock::duration deadline) {
    auto timer = std::make_shared<asio::steady_timer>(io_, deadline);
    timers_.push_back(timer);
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(use_awaitable, ec));
    if (!ec) std::erase(timers_, timer);  // timed out: forget it
    co_return ec == asio::error::operation_aborted;
}

}  // namespace aia::net
