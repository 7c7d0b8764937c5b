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
    static constexpr std::string_view kPlainText = "text/plain; charset=utf-8";

    unsigned status = 200;
    std::string content_type = std::string(kPlainText);
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers

    // The one way responses are made: a status, a body and its type.
    static HttpResponse make(unsigned status, std::string body, std::string content_type = std::string(kPlainText)) {
        HttpResponse response;
        response.status = status;
        response.body = std::move(body);
        response.content_type = std::move(content_type);
        return response;
    }
};

}  // namespace aia::net
