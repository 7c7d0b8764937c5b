#pragma once
// HTTP/1.1 messages written out as one buffer each, for one write (and, when
// it fits, one TLS record) per message: Beast's serializer and its buffer
// sequences cost a tenth of a request's instructions on both sides.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http_types.hpp"

namespace aia::net {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Status line, Content-Type, `response.headers`, Content-Length and the
// Connection header Beast would write for `version` (10 or 11) and
// `keep_alive`, then the body.
std::string wire_response(const HttpResponse& response, unsigned version, bool keep_alive);

// Request line, `headers` (Host included), User-Agent and Content-Length as
// Beast's prepare_payload sets it (left out for a GET or HEAD without a
// body), then the body. Nothing when any text would carry CR, LF or NUL:
// that would split the request, so it is refused rather than sent.
std::optional<std::string> wire_request(std::string_view method, std::string_view target, const HeaderList& headers,
                                        std::string_view body, std::string_view user_agent);

}  // namespace aia::net
