#pragma once
// A fast path for the TokenReview bodies kube-apiserver actually sends.
//
// nlohmann::json copies every string byte by byte into a tree we then read
// three fields of; for a ~1.5 KB token that was a fifth of the server's
// instructions per request. This scanner reads the body in place and answers
// only when it is certain: every string plain printable ASCII (no escapes),
// every number a plain integer, nesting within the limit, each field we read
// present at most once, and the request well-formed. Anything else — and
// every error — is left to the general parser, so the two can never
// disagree on an answer (tests and a fuzz target hold them to it).

#include <optional>
#include <string_view>

#include "core/review/token_review.hpp"

namespace aia::review {

// The request, or nullopt: "not sure, ask the general parser".
std::optional<TokenReviewRequest> parse_plain_token_review(std::string_view body, int max_depth);

}  // namespace aia::review
