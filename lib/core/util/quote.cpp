#include "core/util/quote.hpp"

#include "core/util/ascii.hpp"

namespace aia {

namespace {

// `quotes`: also escape '"' and '\\' (for a quoted string).
void append_escaped(std::string& out, std::string_view text, bool quotes) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : text) {
        if (!quotes && (c == '"' || c == '\\')) {
            out += c;
            continue;
        }
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c == ' ' || ascii::is_graphic(c)) {
                    out += c;
                } else {
                    const auto byte = static_cast<unsigned char>(c);
                    out += "\\x";
                    out += kHex[byte >> 4];
                    out += kHex[byte & 0x0f];
                }
        }
    }
}

}  // namespace

std::string quote(std::string_view text, std::size_t max_bytes) {
    const bool truncated = text.size() > max_bytes;
    std::string out = "\"";
    append_escaped(out, text.substr(0, max_bytes), true);
    out += '"';
    if (truncated) out += "...";
    return out;
}

std::string sanitize(std::string_view text, std::size_t max_bytes) {
    std::string out;
    append_escaped(out, text.substr(0, max_bytes), false);
    if (text.size() > max_bytes) out += "...";
    return out;
}

}  // namespace aia
