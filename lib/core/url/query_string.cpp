#include "core/url/query_string.hpp"

#include "core/util/percent_encoding.hpp"

#include <algorithm>

namespace aia::url {
namespace {

Result<std::string, std::string> decode_component(std::string_view text, QueryStrictness strictness,
                                                  std::string_view what) {
    if (strictness == QueryStrictness::Lenient) return percent::decode_lenient(text);
    auto decoded = percent::decode_strict(text);
    if (!decoded) return fail("invalid percent-escape in " + std::string(what));
    return std::move(decoded).value();
}

}  // namespace

Result<std::vector<QueryParam>, std::string> parse_query(std::string_view raw_query, QueryStrictness strictness) {
    const bool strict = strictness == QueryStrictness::Strict;
    std::vector<QueryParam> params;
    params.reserve(static_cast<std::size_t>(std::count(raw_query.begin(), raw_query.end(), '&')) + 1);
    while (!raw_query.empty()) {
        const std::size_t amp = raw_query.find('&');
        const std::string_view pair = raw_query.substr(0, amp);
        raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
        if (pair.empty()) continue;

        if (strict && pair.find(';') != std::string_view::npos)
            return fail(std::string("invalid semicolon separator in query"));
        if (strict && pair.find('+') != std::string_view::npos) return fail(std::string("ambiguous '+' in query"));

        const std::size_t eq = pair.find('=');
        auto key = decode_component(pair.substr(0, eq), strictness, "parameter name");
        if (!key) return fail(std::move(key).error());
        auto value = decode_component(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1),
                                      strictness, "parameter value");
        if (!value) return fail(std::move(value).error());
        params.push_back({std::move(key).value(), std::move(value).value()});
    }
    return params;
}

std::vector<QueryParam> parse_query_lenient(std::string_view raw_query) {
    return std::move(parse_query(raw_query, QueryStrictness::Lenient)).value();
}

}  // namespace aia::url
