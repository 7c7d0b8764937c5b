#include "core/sigv4/signer.hpp"

#include <algorithm>

#include "core/util/ascii.hpp"
#include "core/util/percent_encoding.hpp"

namespace aia::sigv4 {
namespace {

std::string finish(const Request& request, const SigningParams& params, std::string_view canonical_query,
                   const CanonicalHeaders& headers, SigningResult& result) {
    const std::string payload_hash = crypto::to_hex(crypto::sha256(request.body));
    result.canonical_request = canonical_request(request.method, canonical_uri(request.path, params.normalize_path),
                                                 canonical_query, headers, payload_hash);
    const std::string scope = credential_scope(params.time, params.region, params.service);
    result.string_to_sign = string_to_sign(params.time, scope, result.canonical_request);
    const auto key = signing_key(params.credentials.secret_access_key, params.time, params.region, params.service);
    result.signature = crypto::to_hex(crypto::hmac_sha256(key, result.string_to_sign));
    result.signed_headers = headers.signed_headers;
    return scope;
}

// Replaces any header of that name (in any letter case), so signing a
// request twice, or one that already carries X-Amz-Date, stays correct.
void set_header(std::vector<Header>& headers, std::string_view name, std::string value) {
    std::erase_if(headers, [&](const Header& h) { return ascii::iequals(h.name, name); });
    headers.push_back({std::string(name), std::move(value)});
}

void append_param(std::string& query, std::string_view key, std::string_view value) {
    if (!query.empty()) query += '&';
    query += percent::encode_sigv4(key);
    query += '=';
    query += percent::encode_sigv4(value);
}

}  // namespace

std::string credential_scope(amz_time::Seconds time, std::string_view region, std::string_view service) {
    std::string scope = amz_time::format_date_stamp(time);
    scope.append("/").append(region).append("/").append(service).append("/aws4_request");
    return scope;
}

crypto::Sha256Digest signing_key(std::string_view secret_access_key, amz_time::Seconds time, std::string_view region,
                                 std::string_view service) {
    const auto date_key =
        crypto::hmac_sha256("AWS4" + std::string(secret_access_key), amz_time::format_date_stamp(time));
    const auto region_key = crypto::hmac_sha256(date_key, region);
    const auto service_key = crypto::hmac_sha256(region_key, service);
    return crypto::hmac_sha256(service_key, "aws4_request");
}

std::string string_to_sign(amz_time::Seconds time, std::string_view scope, std::string_view canonical_request) {
    std::string out(kAlgorithm);
    out.append("\n").append(amz_time::format_amz_date(time));
    out.append("\n").append(scope);
    out.append("\n").append(crypto::to_hex(crypto::sha256(canonical_request)));
    return out;
}

SigningResult sign_headers(Request& request, const SigningParams& params) {
    const Credentials& credentials = params.credentials;
    std::erase_if(request.headers, [](const Header& h) {
        return ascii::iequals(h.name, "Authorization") || ascii::iequals(h.name, "X-Amz-Security-Token");
    });
    set_header(request.headers, "X-Amz-Date", amz_time::format_amz_date(params.time));
    const bool sign_token = !credentials.session_token.empty() && !params.omit_session_token;
    if (sign_token) set_header(request.headers, "X-Amz-Security-Token", credentials.session_token);
    if (params.add_content_sha256_header) {
        set_header(request.headers, "x-amz-content-sha256", crypto::to_hex(crypto::sha256(request.body)));
    }

    SigningResult result;
    const std::string scope =
        finish(request, params, canonical_query(request.query), canonical_headers(request.headers), result);

    request.headers.push_back({"Authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id +
                                                    "/" + scope + ", SignedHeaders=" + result.signed_headers +
                                                    ", Signature=" + result.signature});
    if (!credentials.session_token.empty() && !sign_token) {
        request.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
    }
    return result;
}

SigningResult presign(Request& request, const SigningParams& params, std::chrono::seconds expires) {
    const Credentials& credentials = params.credentials;
    const CanonicalHeaders headers = canonical_headers(request.headers);
    const bool sign_token = !credentials.session_token.empty() && !params.omit_session_token;

    std::string query = request.query;
    append_param(query, "X-Amz-Algorithm", kAlgorithm);
    append_param(query, "X-Amz-Credential",
                 credentials.access_key_id + "/" + credential_scope(params.time, params.region, params.service));
    append_param(query, "X-Amz-Date", amz_time::format_amz_date(params.time));
    append_param(query, "X-Amz-Expires", std::to_string(expires.count()));
    if (sign_token) append_param(query, "X-Amz-Security-Token", credentials.session_token);
    append_param(query, "X-Amz-SignedHeaders", headers.signed_headers);

    SigningResult result;
    const std::string canonical = canonical_query(query);
    finish(request, params, canonical, headers, result);

    request.query = canonical;
    if (!credentials.session_token.empty() && !sign_token) {
        append_param(request.query, "X-Amz-Security-Token", credentials.session_token);
    }
    append_param(request.query, "X-Amz-Signature", result.signature);
    return result;
}

}  // namespace aia::sigv4
