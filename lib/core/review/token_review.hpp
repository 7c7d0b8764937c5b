#pragma once
// The TokenReview objects kube-apiserver sends us and expects back
// (authentication.k8s.io v1 and v1beta1, which are identical on the wire for
// the fields we use).
//
//   in:  {"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",
//         "spec":{"token":"k8s-aws-v1...."}}
//   out: {"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",
//         "status":{"authenticated":true,"user":{"username":...,"uid":...,
//                   "groups":[...],"extra":{"arn":[...],...}}}}

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/result.hpp"

namespace aia::review {

inline constexpr std::string_view kApiVersionV1 = "authentication.k8s.io/v1";
inline constexpr std::string_view kApiVersionV1Beta1 = "authentication.k8s.io/v1beta1";

struct TokenReviewRequest {
    std::string api_version;  // one of the two above; v1beta1 when the request named none (as upstream decodes)
    std::string token;        // empty when absent: the validator then refuses it, as upstream does
};

// Refuses what is not a TokenReview: not JSON, not an object, too deep, a
// wrong kind or apiVersion, or fields of the wrong type. The error is a short
// reason for the log; the HTTP answer stays upstream's fixed text.
Result<TokenReviewRequest, std::string> parse_token_review(std::string_view body);
// The same through nlohmann::json, for any input (parse_token_review takes a
// fast path for plain bodies; tests and a fuzz target hold them equal).
Result<TokenReviewRequest, std::string> parse_token_review_general(std::string_view body);

struct ReviewedUser {
    std::string username;
    std::string uid;
    std::vector<std::string> groups;
    // Ordered key -> values; rendered as "extra": {"key": ["v", ...]}.
    std::vector<std::pair<std::string, std::vector<std::string>>> extra;
};

std::string render_authenticated(std::string_view api_version, const ReviewedUser& user);
// The same answer through nlohmann::json, for any input (render_authenticated
// takes a direct path when nothing needs escaping; tests hold them equal).
std::string render_authenticated_general(std::string_view api_version, const ReviewedUser& user);
std::string render_denied(std::string_view api_version);

}  // namespace aia::review
