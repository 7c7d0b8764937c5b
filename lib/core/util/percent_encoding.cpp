#include "core/util/percent_encoding.hpp"

#include <algorithm>

#include "core/util/ascii.hpp"

namespace aia::percent {
namespace {

int hex_value(char c) noexcept {
    if (ascii::is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_escape_at(std::string_view s, std::size_t i) noexcept {
    return s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0;
}

bool is_unreserved(char c) noexcept { return ascii::is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

}  // namespace

Result<std::string, DecodeError> decode_strict(std::string_view encoded) {
    std::string out;
    out.reserve(encoded.size());
    std::size_t i = 0;
    while (i < encoded.size()) {
        // Runs without escapes are copied whole.
        const std::size_t escape = std::min(encoded.find('%', i), encoded.size());
        out.append(encoded.substr(i, escape - i));
        i = escape;
        if (i == encoded.size()) break;
        if (!is_escape_at(encoded, i)) return fail(DecodeError{i});
        out += static_cast<char>(hex_value(encoded[i + 1]) * 16 + hex_value(encoded[i + 2]));
        i += 3;
    }
    return out;
}

std::string decode_lenient(std::string_view encoded) {
    std::string out;
    out.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (is_escape_at(encoded, i)) {
            out += static_cast<char>(hex_value(encoded[i + 1]) * 16 + hex_value(encoded[i + 2]));
            i += 2;
        } else {
            out += encoded[i];
        }
    }
    return out;
}

std::string encode_sigv4(std::string_view bytes, Slash slash) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size() * 3);
    for (char c : bytes) {
        if (is_unreserved(c) || (c == '/' && slash == Slash::Keep)) {
            out += c;
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0f];
        }
    }
    return out;
}

}  // namespace aia::percent
