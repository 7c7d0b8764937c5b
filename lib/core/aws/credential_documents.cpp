#include "core/aws/credential_documents.hpp"

#include <nlohmann/json.hpp>

#include "core/util/json_depth.hpp"
#include "core/util/xml.hpp"

namespace aia::aws {
namespace {

const xml::Element* find_element(const xml::Element& element, std::string_view name) {
    if (element.name == name) return &element;
    for (const xml::Element& child : element.children) {
        if (const xml::Element* found = find_element(child, name)) return found;
    }
    return nullptr;
}

Result<AwsCredentials, std::string> complete(std::string access_key_id, std::string secret, std::string token,
                                             std::string_view expiration) {
    if (access_key_id.empty() || secret.empty()) return fail("credentials without an access key ID or secret key");
    AwsCredentials credentials{{std::move(access_key_id), std::move(secret), std::move(token)}, std::nullopt, {}};
    if (!expiration.empty()) {
        auto parsed = amz_time::parse_rfc3339(expiration);
        if (!parsed) return fail("bad Expiration " + std::string(expiration) + ": " + parsed.error());
        credentials.expiration = *parsed;
    }
    return credentials;
}

}  // namespace

Result<AwsCredentials, std::string> parse_sts_credentials_xml(std::string_view body) {
    auto document = xml::parse(body);
    if (!document) return fail("STS answer is not XML: " + document.error());
    const xml::Element* credentials = find_element(*document, "Credentials");
    if (credentials == nullptr) return fail("STS answer has no Credentials");
    return complete(std::string(credentials->child_text("AccessKeyId")),
                    std::string(credentials->child_text("SecretAccessKey")),
                    std::string(credentials->child_text("SessionToken")), credentials->child_text("Expiration"));
}

Result<AwsCredentials, std::string> parse_credentials_json(std::string_view body) {
    if (!json_depth::within(body, 4)) return fail("credentials document nested too deeply");
    const auto json = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (json.is_discarded() || !json.is_object()) return fail("credentials document is not a JSON object");
    const auto text = [&](const char* key) {
        const auto it = json.find(key);
        return it != json.end() && it->is_string() ? it->get<std::string>() : std::string{};
    };
    // Instance metadata also says {"Code": "Success"} (or an error code).
    if (const std::string code = text("Code"); !code.empty() && code != "Success") {
        return fail("credentials endpoint answered Code " + code);
    }
    return complete(text("AccessKeyId"), text("SecretAccessKey"), text("Token"), text("Expiration"));
}

}  // namespace aia::aws
