#pragma once
// What an STS refusal says, made safe to log.
//
// STS answers errors as {"Error":{"Code":..,"Message":..}} (JSON) or
// <Error><Code>..</Code><Message>..</Message></Error> (XML). Some AWS
// services put the canonical request into SignatureDoesNotMatch messages,
// and a canonical query string holds the session token; so the message is
// cut before any canonical request, credential parameters are redacted, and
// the whole is capped and escaped.

#include <string>
#include <string_view>

namespace aia::identity {

struct StsErrorSummary {
    std::string code;     // e.g. "SignatureDoesNotMatch"; empty if none was found
    std::string message;  // redacted, escaped, at most ~200 bytes
};

StsErrorSummary summarize_sts_error(std::string_view body);

// True when an STS refusal means "slow down" (upstream: the body mentions
// Throttling).
bool is_throttling(std::string_view body);

}  // namespace aia::identity
