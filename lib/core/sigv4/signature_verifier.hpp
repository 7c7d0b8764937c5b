#pragma once
// Verifies SigV4 signatures the way an AWS service does: the other side of
// presign() and sign_headers(). Our AWS emulator answers with it, so the
// integration tests and the bench exercise real signatures, not a stub.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sigv4/canonical_request.hpp"
#include "core/util/amz_time.hpp"
#include "core/util/result.hpp"

namespace aia::sigv4 {

// What the service knows about an access key.
struct KnownCredentials {
    std::string secret_access_key;
    std::string session_token;  // non-empty: the request must carry exactly this X-Amz-Security-Token
};

using CredentialLookup = std::function<std::optional<KnownCredentials>(std::string_view access_key_id)>;

struct RequestView {
    std::string_view method;                 // "GET", "POST"
    std::string_view path;                   // "/"
    std::string_view raw_query;              // without '?'
    const std::vector<Header>* headers;      // as received (names in any case)
    std::string_view service;                // "sts", "ec2"
    std::optional<std::string_view> region;  // the region the endpoint serves, if it checks one
    amz_time::Seconds now;
    std::string_view body;  // header-signed requests: the payload the signature covers
};
using PresignedRequestView = RequestView;

// AWS's error vocabulary: `code` is what the service puts in <Code>.
struct VerificationError {
    std::string code;  // IncompleteSignature, InvalidClientTokenId, SignatureDoesNotMatch, MalformedQueryString
    std::string message;
    unsigned http_status;
};

struct VerifiedRequest {
    std::string access_key_id;
    std::string region;
    amz_time::Seconds signed_at;
};

// How far from the service's clock X-Amz-Date may be, either way (AWS: 15 min).
inline constexpr std::chrono::minutes kPresignedValidity{15};

// Signature in the query (X-Amz-Algorithm, X-Amz-Credential, ...).
Result<VerifiedRequest, VerificationError> verify_presigned(const RequestView& request, const CredentialLookup& lookup);

// Signature in the Authorization header, with X-Amz-Date and, for temporary
// credentials, X-Amz-Security-Token headers; the payload hash is the body's.
Result<VerifiedRequest, VerificationError> verify_header_signed(const RequestView& request,
                                                                const CredentialLookup& lookup);

}  // namespace aia::sigv4
