#include "core/sigv4/signature_verifier.hpp"

#include <algorithm>
#include <map>

#include "core/crypto/sha256.hpp"
#include "core/sigv4/signer.hpp"
#include "core/url/query_string.hpp"
#include "core/util/ascii.hpp"
#include "core/util/split.hpp"

namespace aia::sigv4 {
namespace {

VerificationError incomplete(std::string message) { return {"IncompleteSignature", std::move(message), 400}; }
VerificationError invalid_token() {
    return {"InvalidClientTokenId", "The security token included in the request is invalid.", 403};
}
VerificationError mismatch(std::string message) { return {"SignatureDoesNotMatch", std::move(message), 403}; }

// What a signature claims, wherever it was carried.
struct Claim {
    std::string_view credential;      // AKID/date/region/service/aws4_request
    std::string_view amz_date;        // X-Amz-Date
    std::string_view signed_headers;  // "host;x-amz-date"
    std::string_view signature;
    std::optional<std::string_view> session_token;
};

// Checks a claim against the request: credential scope, key, session token,
// time window, signed headers, and finally the signature itself.
Result<VerifiedRequest, VerificationError> check_claim(const Claim& claim, const RequestView& request,
                                                       std::string_view canonical_query_string,
                                                       std::string_view payload_hash, const CredentialLookup& lookup) {
    const std::vector<std::string_view> scope = split(claim.credential, '/');
    if (scope.size() != 5 || scope[4] != "aws4_request") return fail(incomplete("Malformed Credential"));
    const std::string_view access_key_id = scope[0], date = scope[1], region = scope[2], service = scope[3];
    if (service != request.service) {
        return fail(
            mismatch("Credential should be scoped to correct service: '" + std::string(request.service) + "'."));
    }
    if (request.region && region != *request.region)
        return fail(mismatch("Credential should be scoped to a valid region."));

    const auto credentials = lookup(access_key_id);
    if (!credentials) return fail(invalid_token());
    const std::string_view presented = claim.session_token.value_or(std::string_view{});
    if (!crypto::constant_time_equals(presented, credentials->session_token)) return fail(invalid_token());

    auto signed_at = amz_time::parse_amz_date(claim.amz_date);
    if (!signed_at) return fail(incomplete("Invalid X-Amz-Date"));
    if (date != amz_time::format_date_stamp(*signed_at)) {
        return fail(
            mismatch("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP"));
    }
    if (request.now > *signed_at + kPresignedValidity) {
        return fail(mismatch("Signature expired: " + amz_time::format_amz_date(*signed_at) + " is now earlier than " +
                             amz_time::format_amz_date(request.now - kPresignedValidity) + "."));
    }
    if (*signed_at > request.now + kPresignedValidity) {
        return fail(mismatch("Signature not yet current: " + amz_time::format_amz_date(*signed_at) +
                             " is still later than " + amz_time::format_amz_date(request.now + kPresignedValidity) +
                             "."));
    }

    // Canonical headers over exactly the signed names, from what we received.
    const std::vector<std::string_view> signed_names = split(claim.signed_headers, ';');
    if (std::find(signed_names.begin(), signed_names.end(), "host") == signed_names.end()) {
        return fail(mismatch("'Host' must be a 'SignedHeader' in the AWS Authorization."));
    }
    std::vector<Header> signed_headers;
    for (std::string_view name : signed_names) {
        bool found = false;
        for (const Header& header : *request.headers) {
            if (ascii::iequals(header.name, name)) {
                signed_headers.push_back({std::string(name), header.value});
                found = true;
            }
        }
        if (!found) return fail(mismatch("Signed header " + std::string(name) + " is missing from the request."));
    }
    const CanonicalHeaders headers = canonical_headers(signed_headers);
    if (headers.signed_headers != claim.signed_headers) {
        return fail(mismatch("SignedHeaders must be lower case, sorted and without repeats."));
    }

    const std::string canonical = canonical_request(request.method, canonical_uri(request.path, true),
                                                    canonical_query_string, headers, payload_hash);
    const std::string to_sign = string_to_sign(*signed_at, credential_scope(*signed_at, region, service), canonical);
    const auto key = signing_key(credentials->secret_access_key, *signed_at, region, service);
    const std::string expected = crypto::to_hex(crypto::hmac_sha256(key, to_sign));
    if (!crypto::constant_time_equals(expected, claim.signature)) {
        return fail(
            mismatch("The request signature we calculated does not match the signature you provided. Check "
                     "your AWS Secret Access Key and signing method."));
    }
    return VerifiedRequest{std::string(access_key_id), std::string(region), *signed_at};
}

std::string_view header_value(const RequestView& request, std::string_view name) {
    for (const Header& header : *request.headers) {
        if (ascii::iequals(header.name, name)) return header.value;
    }
    return {};
}

}  // namespace

Result<VerifiedRequest, VerificationError> verify_presigned(const RequestView& request,
                                                            const CredentialLookup& lookup) {
    auto parsed = url::parse_query_strict(request.raw_query);
    if (!parsed) return fail(VerificationError{"MalformedQueryString", parsed.error(), 400});
    // Parameter names are case-sensitive to AWS; a repeated one is refused.
    std::map<std::string, std::string, std::less<>> params;
    for (auto& [key, value] : parsed.value()) {
        if (!params.emplace(key, value).second) {
            return fail(VerificationError{"MalformedQueryString", "Duplicate query parameter: " + key, 400});
        }
    }
    const auto param = [&](std::string_view name) -> const std::string* {
        const auto it = params.find(name);
        return it == params.end() ? nullptr : &it->second;
    };
    for (std::string_view required :
         {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"}) {
        if (param(required) == nullptr) return fail(incomplete("Missing required parameter " + std::string(required)));
    }
    if (*param("X-Amz-Algorithm") != kAlgorithm) return fail(incomplete("Unsupported X-Amz-Algorithm"));
    const std::string* token = param("X-Amz-Security-Token");
    const Claim claim{*param("X-Amz-Credential"), *param("X-Amz-Date"), *param("X-Amz-SignedHeaders"),
                      *param("X-Amz-Signature"), token ? std::optional<std::string_view>(*token) : std::nullopt};
    return check_claim(claim, request, canonical_query(request.raw_query, {"X-Amz-Signature"}),
                       crypto::to_hex(crypto::sha256("")), lookup);
}

Result<VerifiedRequest, VerificationError> verify_header_signed(const RequestView& request,
                                                                const CredentialLookup& lookup) {
    // "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
    std::string_view authorization = header_value(request, "Authorization");
    if (authorization.empty())
        return fail(VerificationError{"MissingAuthenticationToken", "Request is missing Authentication Token", 403});
    if (!authorization.starts_with(kAlgorithm) || authorization.size() <= kAlgorithm.size() ||
        authorization[kAlgorithm.size()] != ' ') {
        return fail(incomplete("Unsupported Authorization algorithm"));
    }
    Claim claim;
    for (std::string_view part : split(authorization.substr(kAlgorithm.size() + 1), ',')) {
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        const std::size_t eq = part.find('=');
        const std::string_view name = part.substr(0, eq),
                               value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
        if (name == "Credential")
            claim.credential = value;
        else if (name == "SignedHeaders")
            claim.signed_headers = value;
        else if (name == "Signature")
            claim.signature = value;
    }
    if (claim.credential.empty() || claim.signed_headers.empty() || claim.signature.empty()) {
        return fail(incomplete("Authorization header requires Credential, SignedHeaders and Signature"));
    }
    claim.amz_date = header_value(request, "X-Amz-Date");
    if (claim.amz_date.empty()) return fail(incomplete("Missing X-Amz-Date header"));
    if (const std::string_view token = header_value(request, "X-Amz-Security-Token"); !token.empty()) {
        claim.session_token = token;
    }
    std::string payload_hash = crypto::to_hex(crypto::sha256(request.body));
    if (const std::string_view declared = header_value(request, "x-amz-content-sha256"); !declared.empty()) {
        if (declared != payload_hash) return fail(mismatch("x-amz-content-sha256 does not match the body."));
    }
    return check_claim(claim, request, canonical_query(request.raw_query), payload_hash, lookup);
}

}  // namespace aia::sigv4
