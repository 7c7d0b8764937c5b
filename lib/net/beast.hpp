#pragma once
// Beast and the names every Beast-using file of the shell spells the same
// way. Only http_server.cpp and sts_client.cpp include this (Beast is slow
// to compile; everything else sees plain types).

#include "net/asio.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace aia::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

}  // namespace aia::net
