#include "net/http_wire.hpp"

#include <algorithm>

#include <boost/beast/http/status.hpp>

namespace aia::net {

std::string wire_response(const HttpResponse& response, unsigned version, bool keep_alive) {
    const auto status = static_cast<boost::beast::http::status>(response.status);
    std::string out;
    out.reserve(160 + response.content_type.size() + response.body.size());
    out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out += std::to_string(response.status);
    out += ' ';
    out += boost::beast::http::obsolete_reason(status);
    out += "\r\nContent-Type: ";
    out += response.content_type;
    out += "\r\n";
    for (const auto& [name, value] : response.headers) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
    if (version >= 11 && !keep_alive) out += "Connection: close\r\n";
    if (version == 10 && keep_alive) out += "Connection: keep-alive\r\n";
    out += "\r\n";
    out += response.body;
    return out;
}

std::optional<std::string> wire_request(std::string_view method, std::string_view target, const HeaderList& headers,
                                        std::string_view body, std::string_view user_agent) {
    // One pass over the characters (find_first_of would search its set
    // once per character, and a presigned target is 1-2 KB).
    const auto clean = [](std::string_view text) {
        return std::none_of(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
    };
    std::string out;
    out.reserve(256 + target.size() + body.size());
    if (!clean(method) || !clean(target)) return std::nullopt;
    out += method;
    out += ' ';
    out += target;
    out += " HTTP/1.1\r\n";
    const auto header = [&](std::string_view name, std::string_view value) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
        return clean(name) && clean(value);
    };
    for (const auto& [name, value] : headers) {
        if (!header(name, value)) return std::nullopt;
    }
    if (!header("User-Agent", user_agent)) return std::nullopt;
    const bool bodiless = method == "GET" || method == "HEAD";
    if (!body.empty() || !bodiless) header("Content-Length", std::to_string(body.size()));
    out += "\r\n";
    out += body;
    return out;
}

}  // namespace aia::net
