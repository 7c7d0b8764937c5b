#pragma once
// The HTTP request and response as handlers see them: plain values, so that
// handlers need no Beast headers.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aia::net {

struct HttpRequest {
    std::string method;  // "POST"
    std::string target;  // "/authenticate?x=y" as sent
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string client;  // "ip:port" of the peer

    // The path without the query.
    std::string_view path() const { return std::string_view(target).substr(0, target.find('?')); }
    // The first header of that name (any case), or empty.
    std::string_view header(std::string_view name) const;
};

struct HttpResponse {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

}  // namespace aia::net
