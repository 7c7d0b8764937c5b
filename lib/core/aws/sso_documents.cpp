#include "core/aws/sso_documents.hpp"

#include <nlohmann/json.hpp>

#include "core/crypto/sha1.hpp"
#include "core/util/json_depth.hpp"

namespace aia::aws {
namespace {

constexpr int kMaxDepth = 4;

std::string text(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

Result<nlohmann::json, std::string> parse_object(std::string_view json, std::string_view what) {
    if (!json_depth::within(json, kMaxDepth)) return fail(std::string(what) + " is nested too deeply");
    auto parsed = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return fail(std::string(what) + " is not a JSON object");
    return parsed;
}

}  // namespace

std::string sso_cache_file_name(const SsoSettings& settings) {
    return crypto::sha1_hex(settings.session_name.empty() ? settings.start_url : settings.session_name) + ".json";
}

Result<SsoAccessToken, std::string> parse_sso_cached_token(std::string_view json) {
    auto document = parse_object(json, "the cached SSO sign-in");
    if (!document) return fail(std::move(document).error());
    SsoAccessToken token{text(*document, "accessToken"), {}};
    std::string expires = text(*document, "expiresAt");
    if (token.access_token.empty() || expires.empty())
        return fail("the cached SSO sign-in has no accessToken or expiresAt");
    if (expires.ends_with("UTC")) expires.replace(expires.size() - 3, 3, "Z");  // older CLIs' form
    auto parsed = amz_time::parse_rfc3339(expires);
    if (!parsed) return fail("the cached SSO sign-in has a bad expiresAt: " + parsed.error());
    token.expires_at = *parsed;
    return token;
}

bool sso_token_expired(const SsoAccessToken& token, amz_time::Seconds now) { return now >= token.expires_at; }

Result<AwsCredentials, std::string> parse_sso_role_credentials(std::string_view json) {
    auto document = parse_object(json, "the SSO portal's answer");
    if (!document) return fail(std::move(document).error());
    const auto role = document->find("roleCredentials");
    if (role == document->end() || !role->is_object()) return fail("the SSO portal's answer has no roleCredentials");
    AwsCredentials credentials{
        {text(*role, "accessKeyId"), text(*role, "secretAccessKey"), text(*role, "sessionToken")}, std::nullopt, {}};
    if (credentials.keys.access_key_id.empty() || credentials.keys.secret_access_key.empty() ||
        credentials.keys.session_token.empty()) {
        return fail("the SSO portal's roleCredentials lack accessKeyId, secretAccessKey or sessionToken");
    }
    const auto expiration = role->find("expiration");
    if (expiration == role->end() || !expiration->is_number_integer())
        return fail("the SSO portal's roleCredentials have no expiration");
    const long long milliseconds = expiration->get<long long>();
    credentials.expiration = amz_time::Seconds{std::chrono::seconds{milliseconds / 1000}};
    return credentials;
}

}  // namespace aia::aws
