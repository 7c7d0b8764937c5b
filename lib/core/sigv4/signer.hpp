#pragma once
// SigV4 signing (AWS4-HMAC-SHA256), in both forms AWS accepts:
//   sign_headers: an Authorization header (API calls: STS AssumeRole, EC2);
//   presign:      X-Amz-* query parameters (the URL inside a token).
// Pure: the time comes in through SigningParams.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/sha256.hpp"
#include "core/sigv4/canonical_request.hpp"
#include "core/sigv4/credentials.hpp"
#include "core/util/amz_time.hpp"

namespace aia::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

struct Request {
    std::string method = "GET";
    std::string path = "/";       // as on the request line; may hold raw bytes
    std::string query;            // raw, without '?'
    std::vector<Header> headers;  // must include Host
    std::string body;
};

struct SigningParams {
    Credentials credentials;
    std::string region;
    std::string service;
    amz_time::Seconds time;
    bool normalize_path = true;  // false only for S3
    // Header signing: also send and sign x-amz-content-sha256 (S3 style).
    bool add_content_sha256_header = false;
    // Attach the session token after signing instead of signing it (a few
    // services, e.g. IoT, want it so). Default: signed, as STS expects.
    bool omit_session_token = false;
};

// The intermediate values, kept for tests and for explaining mismatches.
struct SigningResult {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signature;  // lower-case hex
    std::string signed_headers;
};

// "<yyyymmdd>/<region>/<service>/aws4_request"
std::string credential_scope(amz_time::Seconds time, std::string_view region, std::string_view service);

crypto::Sha256Digest signing_key(std::string_view secret_access_key, amz_time::Seconds time, std::string_view region,
                                 std::string_view service);

std::string string_to_sign(amz_time::Seconds time, std::string_view scope, std::string_view canonical_request);

// Adds X-Amz-Date (and X-Amz-Security-Token, x-amz-content-sha256 as
// configured) and then the Authorization header to `request`.
SigningResult sign_headers(Request& request, const SigningParams& params);

// Appends the X-Amz-* parameters and X-Amz-Signature to `request.query`,
// which comes out in canonical order. Only the request's own headers are signed.
SigningResult presign(Request& request, const SigningParams& params, std::chrono::seconds expires);

}  // namespace aia::sigv4
