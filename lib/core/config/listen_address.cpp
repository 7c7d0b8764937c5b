#include "core/config/listen_address.hpp"

#include "core/util/ip_literal.hpp"
#include "core/util/quote.hpp"

namespace aia::config {

Result<std::optional<ListenAddress>, std::string> parse_listen_address(std::string_view text) {
    if (text == "off") return std::optional<ListenAddress>{};
    const auto invalid = [&](std::string_view why) {
        return fail(quote(text) + " " + std::string(why) + " (\":PORT\", \"IP:PORT\", \"[IPv6]:PORT\" or \"off\")");
    };
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return invalid("has no port");
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        if (!is_ipv6_literal(host)) return invalid("does not bracket an IPv6 address");
    } else if (!host.empty() && !is_ipv4_literal(host)) {
        return invalid("does not start with an IP address");
    }
    if (port_text.empty() || port_text.size() > 5) return invalid("has no valid port");
    unsigned port = 0;
    for (const char c : port_text) {
        if (c < '0' || c > '9') return invalid("has no valid port");
        port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port > 65535) return invalid("has no valid port");
    return std::optional<ListenAddress>{ListenAddress{std::string(host), static_cast<std::uint16_t>(port)}};
}

}  // namespace aia::config
