#include "core/util/quote.hpp"

#include "core/util/ascii.hpp"

namespace aia {

std::string quote(std::string_view text, std::size_t max_bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    const bool truncated = text.size() > max_bytes;
    if (truncated) text = text.substr(0, max_bytes);

    std::string out = "\"";
    for (char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
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
    out += '"';
    if (truncated) out += "...";
    return out;
}

}  // namespace aia
