#pragma once
// Builds "k8s-aws-v1." tokens the way real clients do (upstream's `token`
// command, `aws eks get-token`): a presigned STS GetCallerIdentity URL with
// the x-k8s-aws-id header signed in, base64url-encoded without padding.

#include <chrono>
#include <string>

#include "core/sigv4/credentials.hpp"
#include "core/util/amz_time.hpp"

namespace aia::token {

// Clients sign X-Amz-Expires=60; STS honours the URL for 15 minutes anyway.
inline constexpr std::chrono::seconds kClientExpires{60};
// Clients advertise a token as good for 14 minutes, a minute inside STS's 15.
inline constexpr std::chrono::minutes kClientTokenValidity{14};
inline constexpr std::string_view kStsApiVersion = "2011-06-15";

struct StsEndpoint {
    std::string host;            // "sts.amazonaws.com", "sts.us-west-2.amazonaws.com", ...
    std::string signing_region;  // "us-east-1" for the global endpoint
};

// The endpoint a client uses for `region`: the global endpoint when the
// region is empty, otherwise sts.<region>.<domain of the region's partition>.
StsEndpoint default_sts_endpoint(std::string_view region);

struct TokenRequest {
    sigv4::Credentials credentials;
    std::string cluster_id;
    StsEndpoint endpoint;
    amz_time::Seconds now;
    std::chrono::seconds expires = kClientExpires;
};

struct GeneratedToken {
    std::string token;             // "k8s-aws-v1.<base64url>"
    std::string url;               // the presigned URL inside it
    amz_time::Seconds expiration;  // now + 14 minutes, for ExecCredential
};

GeneratedToken generate_token(const TokenRequest& request);

}  // namespace aia::token
