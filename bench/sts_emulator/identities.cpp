#include "sts_emulator/identities.hpp"

#include <nlohmann/json.hpp>

#include "core/arn/arn.hpp"
#include "core/crypto/sha256.hpp"

namespace aia::bench {
namespace {

// STS's unique IDs: a type prefix and 17 upper-case characters. Derived
// from the ARN so the same file always gives the same IDs.
std::string derive_user_id(const arn::Canonical& canonical, const std::string& arn_text) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const auto digest = crypto::sha256(canonical.arn);
    std::string id;
    for (int i = 0; i < 17; ++i) id += kAlphabet[digest[static_cast<std::size_t>(i)] % 32];
    switch (canonical.type) {
        case arn::PrincipalType::AssumedRole: return "AROA" + id + ":" + arn_text.substr(arn_text.rfind('/') + 1);
        case arn::PrincipalType::User: return "AIDA" + id;
        case arn::PrincipalType::Root: return canonical.account;
        case arn::PrincipalType::FederatedUser: return canonical.account + ":" + arn_text.substr(arn_text.rfind('/') + 1);
        case arn::PrincipalType::Role: return "AROA" + id;
    }
    return id;
}

}  // namespace

Result<Identities, std::string> Identities::parse(std::string_view json_text) {
    const auto json = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("identities") || !json["identities"].is_array()) {
        return fail("identities file must be a JSON object with an \"identities\" array");
    }
    Identities out;
    std::size_t index = 0;
    for (const auto& item : json["identities"]) {
        const std::string where = "identities[" + std::to_string(index++) + "]";
        if (!item.is_object()) return fail(where + ": must be an object");
        const auto text = [&](const char* key) -> std::string {
            const auto it = item.find(key);
            return it != item.end() && it->is_string() ? it->get<std::string>() : std::string{};
        };
        EmulatedIdentity identity{text("accessKeyId"), text("secretAccessKey"), text("sessionToken"), text("arn"), "",
                                  text("userId")};
        if (identity.access_key_id.empty() || identity.secret_access_key.empty() || identity.arn.empty()) {
            return fail(where + ": accessKeyId, secretAccessKey and arn are required");
        }
        auto canonical = arn::canonicalize(identity.arn);
        if (!canonical) return fail(where + ": " + canonical.error());
        identity.account = canonical->account;
        if (identity.user_id.empty()) identity.user_id = derive_user_id(*canonical, identity.arn);
        const std::string key = identity.access_key_id;
        if (!out.by_key_.emplace(key, std::move(identity)).second) return fail(where + ": access key " + key + " is listed twice");
    }
    return out;
}

const EmulatedIdentity* Identities::find(std::string_view access_key_id) const {
    const auto it = by_key_.find(std::string(access_key_id));
    return it == by_key_.end() ? nullptr : &it->second;
}

}  // namespace aia::bench
