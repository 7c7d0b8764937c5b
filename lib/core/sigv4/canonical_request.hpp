#pragma once
// SigV4 canonicalization: the pieces of the canonical request, each usable on
// its own so the signer and the verifying side (our STS emulator) share them.
// Reference: AWS General Reference, "Create a canonical request for SigV4".

#include <string>
#include <string_view>
#include <vector>

namespace aia::sigv4 {

struct Header {
    std::string name;
    std::string value;
};

// The request path, with "." and ".." segments resolved and runs of '/'
// collapsed when `normalize` is set (every service but S3), then
// percent-encoded once with '/' kept. An empty path is "/".
std::string canonical_uri(std::string_view raw_path, bool normalize);

// The query string: split by url::parse_query_lenient (the same grammar token
// validation reads strictly; a stray '%' is itself), every pair re-encoded with the unreserved set, and sorted by key then value.
// A '+' stays a '+'. Keys in `skip` (e.g. "X-Amz-Signature" when verifying)
// are left out.
std::string canonical_query(std::string_view raw_query, const std::vector<std::string_view>& skip = {});

struct CanonicalHeaders {
    std::string text;            // "name:value\n" per header, sorted by name
    std::string signed_headers;  // "name1;name2"
};

// Names lower-cased; values trimmed with inner whitespace runs (folded lines
// included) collapsed to one space; repeated headers joined with ',' in the
// order they came.
CanonicalHeaders canonical_headers(const std::vector<Header>& headers);

std::string canonical_request(std::string_view method, std::string_view canonical_uri, std::string_view canonical_query,
                              const CanonicalHeaders& headers, std::string_view payload_hash);

}  // namespace aia::sigv4
