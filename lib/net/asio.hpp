#pragma once
// Namespace aliases for Asio and Beast, included by every file of the async
// shell so they all spell net::, beast::, http:: and ssl:: the same way.
//
// <utility> must come before Asio's awaitable.hpp with Boost 1.74 and g++ 12
// (it uses std::exchange without including it).
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace aia::net {

namespace asio = boost::asio;
// Every coroutine runs on one io_context: naming its executor type, rather
// than the type-erased any_io_executor, spares each suspension and
// resumption the erased executor's copies and lookups.
using CoroExecutor = boost::asio::io_context::executor_type;
template <class T>
using awaitable = boost::asio::awaitable<T, CoroExecutor>;
inline constexpr boost::asio::use_awaitable_t<CoroExecutor> use_awaitable;

}  // namespace aia::net
