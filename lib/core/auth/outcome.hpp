#pragma once
// How a TokenReview ended, and what that means on the wire and in metrics.
// The one place outcomes become HTTP status codes.

#include <string_view>

namespace aia::auth {

enum class Outcome {
    Success,           // authenticated and mapped
    MalformedRequest,  // not a POSTed TokenReview
    InvalidToken,      // refused before STS (TokenError)
    StsError,          // STS refused the token, failed or was unreachable
    StsThrottling,     // STS throttled us: the client may retry
    UnknownUser,       // STS vouched for an identity no mapping covers
};

// 200, 400, 403, 403, 429, 403: upstream's codes.
unsigned http_status(Outcome outcome) noexcept;

// The `result` label of aws_iam_authenticator_authenticate_latency_seconds,
// with upstream's values ("uknown_user" is upstream's spelling; dashboards
// depend on it).
std::string_view metric_label(Outcome outcome) noexcept;

}  // namespace aia::auth
