// libFuzzer target: the HTTP/1.1 request parser as the server configures it
// (Beast's request_parser with HttpServerOptions' default limits: 8 KiB of
// headers, 64 KiB of body), fed the way its read loop feeds it. Properties
// beyond "no crash, no UB": a parsed request never has a body over the
// limit, whatever the framing (Content-Length or chunked).

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

namespace http = boost::beast::http;

namespace {

constexpr std::size_t kHeaderLimit = 8 * 1024;  // HttpServerOptions::header_limit
constexpr std::size_t kBodyLimit = 64 * 1024;   // HttpServerOptions::body_limit

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit));
    parser.body_limit(kBodyLimit);
    parser.eager(true);

    boost::beast::error_code ec;
    std::size_t offset = 0;
    while (offset < size && !parser.is_done()) {
        const std::size_t used = parser.put(boost::asio::buffer(data + offset, size - offset), ec);
        offset += used;
        if (ec == http::error::need_more) {
            ec = {};
            if (used == 0) break;  // waits for bytes that never come
            continue;
        }
        if (ec || used == 0) break;
    }
    if (parser.is_done() && !ec && parser.get().body().size() > kBodyLimit) std::abort();
    return 0;
}
