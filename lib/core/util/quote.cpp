#include "core/util/quote.hpp"

#include "core/util/ascii.hpp"

namespace aia {

namespace {

// Copied as they are: printable ASCII and space, but for '"' and '\\'
// when `quotes` (a quoted string escapes them).
bool plain(char c, bool quotes) {
    if (c == '"' || c == '\\') return !quotes;
    return c == ' ' || ascii::is_graphic(c);
}

// `quotes`: also escape '"' and '\\' (for a quoted string). Runs of plain
// characters are copied whole: log lines are built from these per request.
void append_escaped(std::string& out, std::string_view text, bool quotes) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < text.size();) {
        std::size_t run = i;
        while (run < text.size() && plain(text[run], quotes)) ++run;
        out.append(text.data() + i, run - i);
        if (run == text.size()) break;
        const char c = text[run];
        i = run + 1;
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
            default: {
                const auto byte = static_cast<unsigned char>(c);
                out += "\\x";
                out += kHex[byte >> 4];
                out += kHex[byte & 0x0f];
            }
        }
    }
}

}  // namespace

void append_quoted(std::string& out, std::string_view text, std::size_t max_bytes) {
    out += '"';
    append_escaped(out, text.substr(0, max_bytes), true);
    out += '"';
    if (text.size() > max_bytes) out += "...";
}

std::string quote(std::string_view text, std::size_t max_bytes) {
    std::string out;
    append_quoted(out, text, max_bytes);
    return out;
}

std::string sanitize(std::string_view text, std::size_t max_bytes) {
    std::string out;
    append_escaped(out, text.substr(0, max_bytes), false);
    if (text.size() > max_bytes) out += "...";
    return out;
}

}  // namespace aia
