#include "core/aws/process_credentials.hpp"

#include <nlohmann/json.hpp>

#include <tuple>

#include "core/util/json_depth.hpp"

namespace aia::aws {
namespace {

// A string member, or nullopt when absent; a member of another type is an error.
Result<std::string, std::string> member(const nlohmann::json& document, const char* key, bool required) {
    const auto it = document.find(key);
    if (it == document.end()) {
        if (required) return fail(std::string("no ") + key);
        return std::string{};
    }
    if (!it->is_string() || (required && it->get<std::string>().empty()))
        return fail(std::string(key) + " is not a non-empty string");
    return it->get<std::string>();
}

}  // namespace

Result<AwsCredentials, std::string> parse_process_credentials(std::string_view output, amz_time::Seconds now) {
    if (!json_depth::within(output, 4)) return fail("output is nested too deeply");
    const auto document = nlohmann::json::parse(output.begin(), output.end(), nullptr, false);
    if (document.is_discarded() || !document.is_object()) return fail("output is not a JSON object");
    const auto version = document.find("Version");
    if (version == document.end() || !version->is_number_integer() || version->get<long long>() != 1)
        return fail("output must say \"Version\": 1");

    AwsCredentials credentials;
    for (const auto& [key, target, required] :
         {std::tuple{"AccessKeyId", &credentials.keys.access_key_id, true},
          std::tuple{"SecretAccessKey", &credentials.keys.secret_access_key, true},
          std::tuple{"SessionToken", &credentials.keys.session_token, false}}) {
        auto value = member(document, key, required);
        if (!value) return fail(std::move(value).error());
        *target = std::move(value).value();
    }
    auto expiration = member(document, "Expiration", false);
    if (!expiration) return fail(std::move(expiration).error());
    if (!expiration->empty()) {
        auto parsed = amz_time::parse_rfc3339(*expiration);
        if (!parsed) return fail("Expiration is not an RFC 3339 time: " + parsed.error());
        if (*parsed <= now) return fail("the credentials it gave expired at " + *expiration);
        credentials.expiration = *parsed;
    }
    return credentials;
}

}  // namespace aia::aws
