#include "core/url/url_parts.hpp"

#include "core/util/ascii.hpp"

#include <array>

namespace aia::url {

namespace {

// RFC 3986 §2: unreserved, reserved (gen-delims and sub-delims) and '%'.
// Anything else ('"', '<', '\\', '{', '^', '`', spaces, controls, non-ASCII)
// never appears in a URL a real client signed. A table: every byte of
// every token's URL is looked up here.
constexpr std::array<bool, 256> kUrlChars = [] {
    constexpr std::string_view kPunctuation = "-._~:/?#[]@!$&'()*+,;=%";
    std::array<bool, 256> allowed{};
    for (int c = 0; c < 256; ++c) {
        const char ch = static_cast<char>(c);
        allowed[static_cast<std::size_t>(c)] = ascii::is_alnum(ch) || kPunctuation.find(ch) != std::string_view::npos;
    }
    return allowed;
}();

bool is_url_char(char c) { return kUrlChars[static_cast<unsigned char>(c)]; }

}  // namespace

Result<UrlParts, std::string> split_url(std::string_view url) {
    for (std::size_t i = 0; i < url.size(); ++i) {
        if (!is_url_char(url[i])) {
            return fail("invalid character in URL at byte " + std::to_string(i));
        }
    }

    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    const std::size_t colon = url.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(std::string("missing protocol scheme"));
    const std::string_view scheme = url.substr(0, colon);
    if (!ascii::is_alpha(scheme[0])) return fail(std::string("missing protocol scheme"));
    for (char c : scheme) {
        if (!ascii::is_alnum(c) && c != '+' && c != '-' && c != '.')
            return fail(std::string("invalid protocol scheme"));
    }

    std::string_view rest = url.substr(colon + 1);
    if (rest.substr(0, 2) != "//") return fail(std::string("missing authority: expected scheme://host/"));
    rest.remove_prefix(2);

    UrlParts parts;
    parts.scheme = scheme;

    const std::size_t authority_end = rest.find_first_of("/?#");
    parts.authority = rest.substr(0, authority_end);
    rest = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);

    if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
        parts.fragment = rest.substr(hash + 1);
        rest = rest.substr(0, hash);
    }
    if (const std::size_t question = rest.find('?'); question != std::string_view::npos) {
        parts.query = rest.substr(question + 1);
        rest = rest.substr(0, question);
    }
    parts.path = rest;
    return parts;
}

}  // namespace aia::url
