#pragma once
// Whether text is an IP address literal, as a listening socket takes it:
// "127.0.0.1", "0.0.0.0", "::", "::1", "fe80::1", "::ffff:10.0.0.1". Pure
// text rules, so configuration can be checked before anything listens.

#include <string_view>

namespace aia {

bool is_ipv4_literal(std::string_view text);
bool is_ipv6_literal(std::string_view text);  // without brackets or a zone
inline bool is_ip_literal(std::string_view text) { return is_ipv4_literal(text) || is_ipv6_literal(text); }

}  // namespace aia
