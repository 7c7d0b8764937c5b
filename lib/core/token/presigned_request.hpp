#pragma once
// A token that passed every offline check: what to send to STS, and the
// facts about it we may log or use before STS has answered.

#include <string>

#include "core/util/amz_time.hpp"

namespace aia::token {

struct PresignedRequest {
    std::string host;                // the validated STS host (the Host header and the TLS server name)
    std::string target;              // "/?<query>", the HTTP request-target
    std::string sts_region;          // region label of the host, "global" for sts.amazonaws.com (metrics label)
    std::string signing_region;      // region of the credential scope
    std::string access_key_id;       // from X-Amz-Credential; an identifier, not a secret
    std::string cluster_id;          // our cluster ID, to send as the x-k8s-aws-id header
    amz_time::Seconds signed_at;     // X-Amz-Date
    amz_time::Seconds expires_at;    // signed_at + 15 minutes: STS's own limit for presigned GetCallerIdentity
    bool has_session_token = false;  // temporary credentials (X-Amz-Security-Token present)

    // "https://<host>/?<query>", the query byte for byte as the client signed it.
    std::string url() const { return "https://" + host + target; }
};

}  // namespace aia::token
