#pragma once
// Runs one coroutine to completion on the calling thread: for the client
// commands, which make a call or two and exit. Every call inside carries
// its own deadline, so this returns.

#include <exception>
#include <optional>
#include <stdexcept>

#include "net/asio.hpp"

namespace aia::net {

namespace detail {
// co_spawn wants default-constructible results; ours (Result<...>) are not.
template <typename T>
awaitable<void> store_result(awaitable<T> task, std::optional<T>& out) {
    out.emplace(co_await std::move(task));
}
}  // namespace detail

template <typename T>
T run_blocking(asio::io_context& io, awaitable<T> task) {
    std::optional<T> result;
    std::exception_ptr failure;
    bool finished = false;
    asio::co_spawn(io, detail::store_result(std::move(task), result), [&](std::exception_ptr error) {
        failure = error;
        finished = true;
    });
    // Not io.run(): timers that renew credentials would keep it busy forever.
    while (!finished && io.run_one() > 0) {}
    if (failure) std::rethrow_exception(failure);
    if (!result) throw std::runtime_error("the operation ran out of work before finishing");
    return std::move(*result);
}

}  // namespace aia::net
