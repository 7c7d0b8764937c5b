#pragma once
// Locale-independent ASCII helpers. Everything we compare case-insensitively
// (query parameter names, header names, hosts) is ASCII by protocol, and
// <cctype> would consult the global locale.

#include <string>
#include <string_view>

namespace aia::ascii {

constexpr bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_alpha(char c) noexcept { return is_upper(c) || is_lower(c); }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(char c) noexcept { return is_alpha(c) || is_digit(c); }
constexpr bool is_hex_digit(char c) noexcept { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
constexpr bool is_lower_hex_digit(char c) noexcept { return is_digit(c) || (c >= 'a' && c <= 'f'); }
// Visible characters, no space: what may appear in a URL or a header token.
constexpr bool is_graphic(char c) noexcept { return c > ' ' && c < 0x7f; }

constexpr char to_lower(char c) noexcept { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s);

bool iequals(std::string_view a, std::string_view b) noexcept;

// Orders as to_lower(a).compare(to_lower(b)) would, without the copies.
int icompare(std::string_view a, std::string_view b) noexcept;

bool all_of_digits(std::string_view s) noexcept;

}  // namespace aia::ascii
