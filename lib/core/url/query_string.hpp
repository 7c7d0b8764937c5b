#pragma once
// The one reader of a URL query string's grammar, for token validation and
// SigV4 canonicalization alike, so the two can never split a query apart
// differently: '&' separates pairs, empty pairs are skipped, a pair without
// '=' has an empty value, the first '=' ends the key.
//
// Strict (token validation) follows Go's url.ParseQuery, which upstream
// uses, where that is safe: ';' is an error and so is a bad '%' escape. One
// difference closes a parser-differential gap between us and STS: a literal
// '+', which form decoding reads as a space but SigV4 reads as '+', is an
// error. Real clients always write '%2B' or '%20'.
//
// Lenient (SigV4 canonicalization, as AWS computes it) never fails: a stray
// '%' is itself, and ';' and '+' are ordinary characters.

#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.hpp"

namespace aia::url {

struct QueryParam {
    std::string key;    // decoded
    std::string value;  // decoded
    friend bool operator==(const QueryParam&, const QueryParam&) = default;
};

enum class QueryStrictness { Strict, Lenient };

// The error (strict only) is a short reason.
Result<std::vector<QueryParam>, std::string> parse_query(std::string_view raw_query, QueryStrictness strictness);

inline Result<std::vector<QueryParam>, std::string> parse_query_strict(std::string_view raw_query) {
    return parse_query(raw_query, QueryStrictness::Strict);
}

// Lenient parsing cannot fail.
std::vector<QueryParam> parse_query_lenient(std::string_view raw_query);

}  // namespace aia::url
