#pragma once
// Strict parsing of a URL query string into decoded key/value pairs.
//
// Follows Go's url.ParseQuery, which upstream uses, where that is safe: '&'
// separates pairs, empty pairs are skipped, a pair without '=' has an empty
// value, ';' is an error. Two differences close parser-differential gaps
// between us and STS: a bad '%' escape is an error (as in Go), and so is a
// literal '+', which form decoding reads as a space but SigV4 reads as '+'.
// Real clients always write '%2B' or '%20'.

#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.hpp"

namespace aia::url {

struct QueryParam {
    std::string key;    // decoded
    std::string value;  // decoded
};

// The error is a short reason.
Result<std::vector<QueryParam>, std::string> parse_query_strict(std::string_view raw_query);

}  // namespace aia::url
