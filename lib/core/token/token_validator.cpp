#include "core/token/token_validator.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "core/token/sts_host.hpp"
#include "core/url/query_string.hpp"
#include "core/url/url_parts.hpp"
#include "core/util/ascii.hpp"
#include "core/util/base64.hpp"
#include "core/util/quote.hpp"
#include "core/util/split.hpp"

namespace aia::token {
namespace {

using Code = TokenErrorCode;

TokenError error(Code code, std::string detail) { return {code, std::move(detail)}; }

// The only query parameters a presigned GetCallerIdentity URL needs. Anything
// else could change what STS does with the request, so it is refused.
enum Param : std::size_t {
    kAction,
    kVersion,
    kAlgorithm,
    kCredential,
    kDate,
    kExpires,
    kSignedHeaders,
    kSecurityToken,
    kSignature,
    kParamCount
};

// Lower-case names; the switch makes the compiler check every Param has one.
constexpr std::string_view lower_name(Param param) {
    switch (param) {
        case kAction:
            return "action";
        case kVersion:
            return "version";
        case kAlgorithm:
            return "x-amz-algorithm";
        case kCredential:
            return "x-amz-credential";
        case kDate:
            return "x-amz-date";
        case kExpires:
            return "x-amz-expires";
        case kSignedHeaders:
            return "x-amz-signedheaders";
        case kSecurityToken:
            return "x-amz-security-token";
        case kSignature:
            return "x-amz-signature";
        case kParamCount:
            break;
    }
    return {};
}

constexpr std::string_view kExpectedAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kExpectedAction = "GetCallerIdentity";
// The global endpoint signs for us-east-1.
constexpr std::string_view kGlobalSigningRegion = "us-east-1";
// Past a token's lifetime a larger allowance means nothing.
constexpr std::chrono::seconds kMaxClockSkew = std::chrono::hours{1};

std::optional<Param> find_allowed(std::string_view name) {
    for (std::size_t i = 0; i < kParamCount; ++i) {
        if (ascii::iequals(lower_name(static_cast<Param>(i)), name)) return static_cast<Param>(i);
    }
    return std::nullopt;
}

// The allow-listed parameters of one URL, each seen at most once.
class Params {
public:
    const std::string* get(Param p) const { return values_[p] ? &*values_[p] : nullptr; }
    std::string_view get_or_empty(Param p) const {
        return values_[p] ? std::string_view(*values_[p]) : std::string_view{};
    }
    bool has(Param p) const { return values_[p].has_value(); }
    std::optional<std::string>& slot(Param p) { return values_[p]; }

private:
    std::array<std::optional<std::string>, kParamCount> values_;
};

Result<std::string, TokenError> decode_token(std::string_view token) {
    if (token.size() > kMaxTokenBytes) return fail(error(Code::TooLarge, "token is too large"));
    if (!token.starts_with(kTokenPrefix)) {
        return fail(error(Code::MissingPrefix, "token is missing expected \"k8s-aws-v1.\" prefix"));
    }
    auto decoded = base64::decode_url_unpadded(token.substr(kTokenPrefix.size()));
    if (!decoded) {
        return fail(error(Code::InvalidBase64,
                          "illegal base64 data at input byte " + std::to_string(decoded.error().position)));
    }
    return std::move(decoded).value();
}

// Scheme, authority and path: everything that decides where we connect.
Result<url::UrlParts, TokenError> check_url_shape(std::string_view decoded) {
    auto parts = url::split_url(decoded);
    if (!parts) return fail(error(Code::MalformedUrl, parts.error()));
    if (parts->scheme != "https") {
        return fail(error(Code::UnexpectedScheme, "unexpected scheme " + quote(parts->scheme) + " in pre-signed URL"));
    }
    if (parts->authority.find('@') != std::string_view::npos) {
        return fail(error(Code::UserInfoPresent, "unexpected user information in pre-signed URL"));
    }
    if (parts->authority.find(':') != std::string_view::npos) {
        return fail(error(Code::PortPresent, "unexpected port in pre-signed URL host " + quote(parts->authority)));
    }
    return std::move(parts).value();
}

// Reads the query into Params: rejects names outside the allow-list and any
// name given twice, in the same or in a different letter case. The
// case-variant check comes first, as upstream orders it: a server that looked
// at one spelling while STS used the other is CVE-2022-2385.
Result<Params, TokenError> collect_params(std::string_view raw_query) {
    auto parsed = url::parse_query_strict(raw_query);
    if (!parsed) return fail(error(Code::MalformedQuery, "malformed query parameter: " + parsed.error()));
    std::vector<url::QueryParam>& pairs = parsed.value();

    // Names equal but for case side by side (in their order within each
    // group), compared in place: no lower-case copies.
    std::vector<std::size_t> order(pairs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const int by_name = ascii::icompare(pairs[a].key, pairs[b].key);
        return by_name != 0 ? by_name < 0 : a < b;
    });
    for (std::size_t i = 1; i < order.size(); ++i) {
        const std::string& first = pairs[order[i - 1]].key;
        const std::string& second = pairs[order[i]].key;
        if (ascii::iequals(first, second) && first != second) {
            return fail(error(Code::DuplicateParameter, "duplicate query parameter found: " + quote(second)));
        }
    }

    Params params;
    for (url::QueryParam& pair : pairs) {
        const auto param = find_allowed(pair.key);
        if (!param) {
            return fail(error(Code::ParameterNotAllowed, "non-whitelisted query parameter " + quote(pair.key)));
        }
        std::optional<std::string>& slot = params.slot(*param);
        if (slot) return fail(error(Code::MultipleValues, "query parameter with multiple values not supported"));
        slot = std::move(pair.value);
    }
    return params;
}

bool contains_ignoring_case(const std::vector<std::string_view>& entries, std::string_view wanted) {
    return std::any_of(entries.begin(), entries.end(), [&](std::string_view e) { return ascii::iequals(e, wanted); });
}

bool is_header_name(std::string_view name) {
    return !name.empty() &&
           std::all_of(name.begin(), name.end(), [](char c) { return ascii::is_alnum(c) || c == '-'; });
}

Result<int, TokenError> check_expires(const Params& params) {
    const std::string_view raw = params.get_or_empty(kExpires);
    const auto invalid = [&] {
        return error(Code::InvalidExpires, "invalid X-Amz-Expires parameter in pre-signed URL: " + quote(raw));
    };
    // Digits only: no sign, no spaces (Go's Atoi would take a sign).
    if (!ascii::all_of_digits(raw)) return fail(invalid());
    int seconds = 0;
    for (char c : raw) {
        seconds = seconds * 10 + (c - '0');
        if (seconds > kMaxExpiresSeconds) return fail(invalid());
    }
    return seconds;
}

bool is_expired(amz_time::Seconds signed_at, amz_time::Seconds now) { return now > signed_at + kTokenLifetime; }

bool is_premature(amz_time::Seconds signed_at, amz_time::Seconds now, std::chrono::seconds max_clock_skew) {
    return signed_at > now + max_clock_skew;
}

Result<amz_time::Seconds, TokenError> check_date(const Params& params, amz_time::Seconds now,
                                                 std::chrono::seconds max_clock_skew) {
    const std::string* date = params.get(kDate);
    if (date == nullptr || date->empty()) {
        return fail(error(Code::MissingDate, "X-Amz-Date parameter must be present in pre-signed URL"));
    }
    auto signed_at = amz_time::parse_amz_date(*date);
    if (!signed_at) {
        return fail(error(Code::InvalidDate, "error parsing X-Amz-Date parameter " + quote(*date) +
                                                 " into format 20060102T150405Z: " + signed_at.error()));
    }
    if (is_expired(*signed_at, now)) {
        return fail(error(Code::Expired, "X-Amz-Date parameter is expired (15 minute expiration) " +
                                             amz_time::format_go_utc(*signed_at)));
    }
    if (is_premature(*signed_at, now, max_clock_skew)) {
        return fail(error(Code::NotYetValid, "X-Amz-Date parameter is in the future " +
                                                 amz_time::format_go_utc(*signed_at) + " (allowed clock skew " +
                                                 std::to_string(max_clock_skew.count()) + "s)"));
    }
    return *signed_at;
}

struct CredentialScope {
    std::string access_key_id;
    std::string region;
};

// "<access key id>/<yyyymmdd>/<region>/sts/aws4_request", dated on X-Amz-Date's
// day and scoped to the region of the host it is sent to.
Result<CredentialScope, TokenError> check_credential(const Params& params, amz_time::Seconds signed_at,
                                                     std::string_view host_region) {
    const std::string_view credential = params.get_or_empty(kCredential);
    const auto malformed = [&](std::string_view why) {
        return error(Code::MalformedCredential, "malformed X-Amz-Credential parameter in pre-signed URL " +
                                                    quote(credential) + ": " + std::string(why));
    };
    if (credential.empty()) {
        return fail(error(Code::MalformedCredential, "X-Amz-Credential parameter must be present in pre-signed URL"));
    }

    std::array<std::string_view, 5> fields;
    std::string_view rest = credential;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::size_t slash = rest.find('/');
        if ((slash == std::string_view::npos) != (i == fields.size() - 1)) {
            return fail(malformed("want <access key id>/<yyyymmdd>/<region>/sts/aws4_request"));
        }
        fields[i] = rest.substr(0, slash);
        if (slash != std::string_view::npos) rest.remove_prefix(slash + 1);
    }
    const auto [access_key_id, date, region, service, terminator] = fields;

    // Access key IDs are upper-case letters and digits ("AKIA...", "ASIA...").
    const bool key_ok = !access_key_id.empty() && access_key_id.size() <= 128 &&
                        std::all_of(access_key_id.begin(), access_key_id.end(),
                                    [](char c) { return ascii::is_upper(c) || ascii::is_digit(c); });
    if (!key_ok) return fail(malformed("access key id must be 1 to 128 upper-case letters or digits"));
    if (date.size() != 8 || !ascii::all_of_digits(date)) return fail(malformed("date must be yyyymmdd"));
    if (!aws::is_valid_region_label(region)) return fail(malformed("invalid region"));
    if (service != "sts") return fail(malformed("service must be sts"));
    if (terminator != "aws4_request") return fail(malformed("scope must end in aws4_request"));

    const std::string signed_day = amz_time::format_date_stamp(signed_at);
    if (date != signed_day) {
        return fail(error(Code::CredentialDateMismatch, "X-Amz-Credential date " + std::string(date) +
                                                            " does not match X-Amz-Date " +
                                                            amz_time::format_amz_date(signed_at)));
    }
    const std::string_view expected_region = host_region == "global" ? kGlobalSigningRegion : host_region;
    if (region != expected_region) {
        return fail(error(Code::CredentialRegionMismatch, "X-Amz-Credential region " + std::string(region) +
                                                              " does not match the STS endpoint's region " +
                                                              std::string(expected_region)));
    }
    return CredentialScope{std::string(access_key_id), std::string(region)};
}

bool is_signature(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return ascii::is_lower_hex_digit(c); });
}

}  // namespace

Result<TokenValidator, std::string> TokenValidator::create(VerifierSettings settings) {
    if (settings.cluster_id.empty()) return fail("cluster ID cannot be empty");
    const Partition* partition = aws::find_partition(settings.partition);
    if (partition == nullptr) return fail("invalid partition " + quote(settings.partition));
    auto regions = StsRegionPolicy::create(*partition, settings.region, settings.sts_regions);
    if (!regions) return fail(std::move(regions).error());
    if (settings.max_clock_skew.count() < 0 || settings.max_clock_skew > kMaxClockSkew) {
        return fail("clock skew allowance must be between 0 and " + std::to_string(kMaxClockSkew.count()) + " seconds");
    }
    return TokenValidator(std::move(settings), std::move(regions).value());
}

bool TokenValidator::within_window(amz_time::Seconds signed_at, amz_time::Seconds now) const {
    return !is_expired(signed_at, now) && !is_premature(signed_at, now, settings_.max_clock_skew);
}

Result<PresignedRequest, TokenError> TokenValidator::validate(std::string_view token, amz_time::Seconds now) const {
    // The order follows upstream's checks, so a token that breaks several
    // rules gets the message an upstream operator would see; our extra checks
    // come after them.
    auto decoded = decode_token(token);
    if (!decoded) return fail(std::move(decoded).error());

    auto url = check_url_shape(*decoded);
    if (!url) return fail(std::move(url).error());

    auto sts_host = validate_sts_host(url->authority, regions_);
    if (!sts_host) return fail(std::move(sts_host).error());

    if (url->path != "/") return fail(error(Code::UnexpectedPath, "unexpected path in pre-signed URL"));
    if (url->fragment) return fail(error(Code::FragmentPresent, "unexpected fragment in pre-signed URL"));

    const std::string_view raw_query = url->query.value_or(std::string_view{});
    auto params = collect_params(raw_query);
    if (!params) return fail(std::move(params).error());

    if (params->get_or_empty(kAction) != kExpectedAction) {
        return fail(error(Code::UnexpectedAction, "unexpected action parameter in pre-signed URL"));
    }
    const std::vector<std::string_view> signed_headers = split(params->get_or_empty(kSignedHeaders), ';');
    if (!contains_ignoring_case(signed_headers, kClusterIdHeader)) {
        return fail(
            error(Code::ClusterIdNotSigned, "client did not sign the x-k8s-aws-id header in the pre-signed URL"));
    }
    if (auto expires = check_expires(*params); !expires) return fail(std::move(expires).error());

    auto signed_at = check_date(*params, now, settings_.max_clock_skew);
    if (!signed_at) return fail(std::move(signed_at).error());

    if (params->get_or_empty(kVersion).empty()) {
        return fail(error(Code::MissingVersion, "Version parameter must be present in pre-signed URL"));
    }
    if (params->get_or_empty(kAlgorithm) != kExpectedAlgorithm) {
        return fail(error(Code::UnexpectedAlgorithm, "unexpected X-Amz-Algorithm parameter in pre-signed URL: " +
                                                         quote(params->get_or_empty(kAlgorithm)) + ", want " +
                                                         std::string(kExpectedAlgorithm)));
    }
    auto scope = check_credential(*params, *signed_at, sts_host->region);
    if (!scope) return fail(std::move(scope).error());

    if (!std::all_of(signed_headers.begin(), signed_headers.end(), is_header_name)) {
        return fail(error(Code::MalformedSignedHeaders, "malformed X-Amz-SignedHeaders parameter in pre-signed URL " +
                                                            quote(params->get_or_empty(kSignedHeaders))));
    }
    if (!contains_ignoring_case(signed_headers, "host")) {
        return fail(error(Code::HostNotSigned, "client did not sign the host header in the pre-signed URL"));
    }
    if (params->has(kSecurityToken) && params->get_or_empty(kSecurityToken).empty()) {
        return fail(error(Code::EmptySecurityToken, "X-Amz-Security-Token parameter must not be empty"));
    }
    if (!is_signature(params->get_or_empty(kSignature))) {
        return fail(error(Code::MalformedSignature,
                          "X-Amz-Signature parameter must be present in pre-signed URL as 64 lower-case hex digits"));
    }

    PresignedRequest request;
    request.host = std::move(sts_host->host);
    request.target.reserve(2 + raw_query.size());
    request.target.append("/?").append(raw_query);
    request.sts_region = std::move(sts_host->region);
    request.signing_region = std::move(scope->region);
    request.access_key_id = std::move(scope->access_key_id);
    request.cluster_id = settings_.cluster_id;
    request.signed_at = *signed_at;
    request.expires_at = *signed_at + kTokenLifetime;
    request.has_session_token = params->has(kSecurityToken);
    return request;
}

}  // namespace aia::token
