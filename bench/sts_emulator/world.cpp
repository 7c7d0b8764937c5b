#include "sts_emulator/world.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/arn/arn.hpp"
#include "core/crypto/sha256.hpp"

namespace aia::bench {
namespace {

std::string text(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

Result<bool, std::string> parse_mfa_roles(const nlohmann::json& json, std::map<std::string, MfaRequirement>& out) {
    for (const auto& entry : json.value("mfaRoles", nlohmann::json::array())) {
        MfaRequirement requirement{text(entry, "serialNumber"), text(entry, "tokenCode")};
        const std::string role = text(entry, "roleArn");
        if (role.empty() || requirement.serial_number.empty() || requirement.token_code.empty())
            return fail("mfaRoles: roleArn, serialNumber and tokenCode are required");
        out[role] = std::move(requirement);
    }
    return true;
}

Result<bool, std::string> parse_sso_sign_ins(const nlohmann::json& json, std::map<std::string, SsoSignIn>& out) {
    for (const auto& entry : json.value("ssoAccessTokens", nlohmann::json::array())) {
        const std::string token = text(entry, "accessToken");
        SsoSignIn sign_in{text(entry, "user"), std::nullopt, {}};
        if (token.empty() || sign_in.user.empty()) return fail("ssoAccessTokens: accessToken and user are required");
        if (const std::string expires = text(entry, "expiresAt"); !expires.empty()) {
            auto parsed = amz_time::parse_rfc3339(expires);
            if (!parsed) return fail("ssoAccessTokens: bad expiresAt " + expires);
            sign_in.expires_at = *parsed;
        }
        for (const auto& grant : entry.value("roles", nlohmann::json::array()))
            sign_in.grants.push_back({text(grant, "accountId"), text(grant, "roleName")});
        out[token] = std::move(sign_in);
    }
    return true;
}

}  // namespace

bool SsoSignIn::may_use(std::string_view account_id, std::string_view role_name) const {
    return std::any_of(grants.begin(), grants.end(), [&](const SsoGrant& grant) {
        return grant.account_id == account_id && grant.role_name == role_name;
    });
}

std::string sso_role_arn(std::string_view account_id, std::string_view role_name) {
    const std::string digest =
        crypto::to_hex(crypto::sha256(std::string(account_id) + "/" + std::string(role_name))).substr(0, 16);
    return "arn:aws:iam::" + std::string(account_id) + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_" +
           std::string(role_name) + "_" + digest;
}

std::string derive_user_id(std::string_view arn_text) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const auto canonical = arn::canonicalize(arn_text);
    if (!canonical) return "AIDAUNKNOWN";
    const auto digest = crypto::sha256(canonical->arn);
    std::string id;
    for (std::size_t i = 0; i < 17; ++i) id += kAlphabet[digest[i] % 32];
    const std::string last(arn_text.substr(arn_text.rfind('/') + 1));
    switch (canonical->type) {
        case arn::PrincipalType::AssumedRole:
            return "AROA" + id + ":" + last;
        case arn::PrincipalType::User:
            return "AIDA" + id;
        case arn::PrincipalType::Root:
            return canonical->account;
        case arn::PrincipalType::FederatedUser:
            return canonical->account + ":" + last;
        case arn::PrincipalType::Role:
            return "AROA" + id;
    }
    return id;
}

Result<std::unique_ptr<World>, std::string> World::parse(std::string_view json_text,
                                                         std::chrono::seconds credential_lifetime) {
    const auto json = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("identities") || !json["identities"].is_array()) {
        return fail("fixture must be a JSON object with an \"identities\" array");
    }
    auto owned = std::make_unique<World>();
    World& world = *owned;
    world.lifetime_ = credential_lifetime;
    std::size_t index = 0;
    for (const auto& item : json["identities"]) {
        const std::string where = "identities[" + std::to_string(index++) + "]";
        if (!item.is_object()) return fail(where + ": must be an object");
        Principal principal{text(item, "accessKeyId"),
                            text(item, "secretAccessKey"),
                            text(item, "sessionToken"),
                            text(item, "arn"),
                            "",
                            text(item, "userId"),
                            std::nullopt};
        if (principal.access_key_id.empty() || principal.secret_access_key.empty() || principal.arn.empty()) {
            return fail(where + ": accessKeyId, secretAccessKey and arn are required");
        }
        auto canonical = arn::canonicalize(principal.arn);
        if (!canonical) return fail(where + ": " + canonical.error());
        principal.account = canonical->account;
        if (principal.user_id.empty()) principal.user_id = derive_user_id(principal.arn);
        const std::string key = principal.access_key_id;
        if (!world.static_principals_.emplace(key, std::move(principal)).second) {
            return fail(where + ": access key " + key + " is listed twice");
        }
    }
    for (const auto& role : json.value("assumableRoles", nlohmann::json::array())) {
        if (role.is_string()) world.assumable_roles_.push_back(role.get<std::string>());
    }
    for (const auto& entry : json.value("webIdentityTokens", nlohmann::json::array())) {
        if (entry.is_object()) world.web_identity_tokens_[text(entry, "token")] = text(entry, "roleArn");
    }
    for (const auto& entry : json.value("instances", nlohmann::json::array())) {
        if (!entry.is_object()) continue;
        Instance instance{text(entry, "instanceId"), text(entry, "privateDnsName"), text(entry, "state")};
        if (instance.state.empty()) instance.state = "running";
        world.instances_[instance.instance_id] = instance;
    }
    if (auto mfa = parse_mfa_roles(json, world.mfa_roles_); !mfa) return fail(std::move(mfa).error());
    if (auto sso = parse_sso_sign_ins(json, world.sso_sign_ins_); !sso) return fail(std::move(sso).error());
    world.instance_profile_role_ = text(json, "instanceProfileRole");
    world.container_role_ = text(json, "containerRole");
    world.container_token_ = text(json, "containerAuthorizationToken");
    if (const std::string region = text(json, "region"); !region.empty()) world.region_ = region;
    return owned;
}

std::optional<Principal> World::find(std::string_view access_key_id) const {
    const std::string key(access_key_id);
    if (const auto it = static_principals_.find(key); it != static_principals_.end()) return it->second;
    std::lock_guard lock(mutex_);
    if (const auto it = issued_.find(key); it != issued_.end()) return it->second;
    return std::nullopt;
}

Principal World::issue(const std::string& role_arn, const std::string& session_name, amz_time::Seconds now) {
    static constexpr char kUpper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    static constexpr char kAny[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::lock_guard lock(mutex_);
    const auto random_text = [&](const char* alphabet, std::size_t size, std::size_t length) {
        std::string out;
        for (std::size_t i = 0; i < length; ++i) out += alphabet[random_() % size];
        return out;
    };
    Principal principal;
    principal.access_key_id = "ASIA" + random_text(kUpper, 32, 16);
    principal.secret_access_key = random_text(kAny, 64, 40);
    principal.session_token = "IQoJb3Jp" + random_text(kAny, 64, 96);
    const auto role = arn::parse(role_arn);
    const std::string account = role ? role->account : "000000000000";
    const std::string name = role ? role->resource.substr(role->resource.rfind('/') + 1) : "role";
    principal.arn = "arn:" + (role ? role->partition : std::string("aws")) + ":sts::" + account + ":assumed-role/" +
                    name + "/" + session_name;
    principal.account = account;
    principal.user_id = derive_user_id(principal.arn);
    principal.expiration = now + lifetime_;
    issued_[principal.access_key_id] = principal;
    return principal;
}

bool World::is_assumable(std::string_view role_arn) const {
    return std::find(assumable_roles_.begin(), assumable_roles_.end(), role_arn) != assumable_roles_.end() ||
           mfa_roles_.contains(std::string(role_arn));
}

std::optional<MfaRequirement> World::mfa_requirement(std::string_view role_arn) const {
    const auto it = mfa_roles_.find(std::string(role_arn));
    if (it == mfa_roles_.end()) return std::nullopt;
    return it->second;
}

const SsoSignIn* World::sso_sign_in(std::string_view access_token) const {
    const auto it = sso_sign_ins_.find(std::string(access_token));
    return it == sso_sign_ins_.end() || access_token.empty() ? nullptr : &it->second;
}

std::optional<std::string> World::web_identity_role(std::string_view token) const {
    const auto it = web_identity_tokens_.find(std::string(token));
    if (it == web_identity_tokens_.end() || token.empty()) return std::nullopt;
    return it->second;
}

const Instance* World::instance(std::string_view instance_id) const {
    const auto it = instances_.find(std::string(instance_id));
    return it == instances_.end() ? nullptr : &it->second;
}

}  // namespace aia::bench
