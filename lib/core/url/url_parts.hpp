#pragma once
// Splits an absolute URL into its RFC 3986 components without decoding them.
//
// Deliberately narrower than a general URL parser: only the characters RFC
// 3986 allows are accepted and an authority ("//host") is required. The token
// validator judges each component; this file only finds where they are.

#include <optional>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace aia::url {

struct UrlParts {
    std::string_view scheme;                   // "https"
    std::string_view authority;                // "user@host:port" as written
    std::string_view path;                     // may be empty
    std::optional<std::string_view> query;     // after '?', without it
    std::optional<std::string_view> fragment;  // after '#', without it
};

// The returned views point into `url`. The error is a short reason.
Result<UrlParts, std::string> split_url(std::string_view url);

}  // namespace aia::url
