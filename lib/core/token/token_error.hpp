#pragma once
// Why a token was refused before any network I/O.

#include <string>
#include <string_view>

namespace aia::token {

// One value per check, in the order the validator runs them.
enum class TokenErrorCode {
    TooLarge,                  // longer than kMaxTokenBytes
    MissingPrefix,             // not "k8s-aws-v1."
    InvalidBase64,             // not unpadded base64url
    MalformedUrl,              // the decoded bytes are not a URL we can read
    UnexpectedScheme,          // not https
    UserInfoPresent,           // "user@" in the authority
    PortPresent,               // ":port" in the authority
    UnexpectedHost,            // not an STS endpoint of the configured partition
    UnknownRegion,             // an STS endpoint for a region the region policy does not admit
    UnexpectedPath,            // path other than "/"
    FragmentPresent,           // "#..." after the query
    MalformedQuery,            // bad escape, ';' or '+'
    DuplicateParameter,        // same name twice, differing in letter case (CVE-2022-2385)
    ParameterNotAllowed,       // name outside the allow-list
    MultipleValues,            // same name twice, same spelling
    UnexpectedAction,          // Action is not GetCallerIdentity
    ClusterIdNotSigned,        // x-k8s-aws-id missing from X-Amz-SignedHeaders
    InvalidExpires,            // X-Amz-Expires not an integer in 0..900
    MissingDate,               // no X-Amz-Date
    InvalidDate,               // X-Amz-Date not YYYYMMDDTHHMMSSZ
    Expired,                   // now is after X-Amz-Date + 15 minutes
    NotYetValid,               // X-Amz-Date further in the future than the allowed clock skew
    MissingVersion,            // no Version
    UnexpectedAlgorithm,       // X-Amz-Algorithm is not AWS4-HMAC-SHA256
    MalformedCredential,       // X-Amz-Credential is not AKID/yyyymmdd/region/sts/aws4_request
    CredentialDateMismatch,    // credential scope date differs from X-Amz-Date's day
    CredentialRegionMismatch,  // credential scope region is not the STS host's region
    MalformedSignedHeaders,    // X-Amz-SignedHeaders has an empty or non-token entry
    HostNotSigned,             // host missing from X-Amz-SignedHeaders
    EmptySecurityToken,        // X-Amz-Security-Token given without a value
    MalformedSignature,        // X-Amz-Signature missing or not 64 lower-case hex digits
};

// A stable snake_case name for logs and metrics ("token_too_large").
std::string_view to_string(TokenErrorCode code) noexcept;

struct TokenError {
    TokenErrorCode code;
    std::string detail;  // what exactly is wrong; never contains the token or a signature

    // "input token was not properly formatted: <detail>", upstream's wording.
    std::string message() const;
};

}  // namespace aia::token
