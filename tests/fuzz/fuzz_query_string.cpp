// libFuzzer target: URL splitting and strict query-string parsing (what the
// token validator builds on). Properties beyond "no crash, no UB": split
// parts are views into the input; a parsed query's keys and values together
// are never longer than the text they were decoded from; wherever the strict
// reading accepts a query, the lenient one (SigV4's) reads the same pairs.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/url/query_string.hpp"
#include "core/url/url_parts.hpp"

namespace {

bool inside(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto url = aia::url::split_url(text)) {
        if (!inside(url->scheme, text) || !inside(url->authority, text) || !inside(url->path, text)) std::abort();
        if (url->query && !inside(*url->query, text)) std::abort();
        if (url->fragment && !inside(*url->fragment, text)) std::abort();
    } else if (url.error().empty()) {
        std::abort();
    }

    const auto lenient = aia::url::parse_query_lenient(text);
    const auto query = aia::url::parse_query_strict(text);
    if (!query) {
        if (query.error().empty()) std::abort();
        return 0;
    }
    if (!(*query == lenient)) std::abort();
    // Decoding only shortens: every pair came from at least its own bytes.
    std::size_t decoded = 0;
    for (const auto& pair : *query) decoded += pair.key.size() + pair.value.size();
    if (decoded > text.size()) std::abort();
    return 0;
}
