#include "core/aws/shared_config.hpp"

#include <algorithm>

#include "core/util/ascii.hpp"
#include "core/util/split.hpp"

namespace aia::aws {
namespace {

constexpr std::size_t kMaxRoleChain = 5;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

void set(Profile& profile, const std::string& key, std::string value) {
    if (key == "aws_access_key_id")
        profile.access_key_id = std::move(value);
    else if (key == "aws_secret_access_key")
        profile.secret_access_key = std::move(value);
    else if (key == "aws_session_token")
        profile.session_token = std::move(value);
    else if (key == "role_arn")
        profile.role_arn = std::move(value);
    else if (key == "source_profile")
        profile.source_profile = std::move(value);
    else if (key == "credential_source")
        profile.credential_source = std::move(value);
    else if (key == "role_session_name")
        profile.role_session_name = std::move(value);
    else if (key == "external_id")
        profile.external_id = std::move(value);
    else if (key == "web_identity_token_file")
        profile.web_identity_token_file = std::move(value);
    else if (key == "region")
        profile.region = std::move(value);
}

// Calls `visit(profile name, key, value)` for every setting of every profile.
template <class Visit>
void read_ini(std::string_view text, bool config_file, Visit visit) {
    std::string section;
    bool usable = false;
    for (std::string_view line : split(text, '\n')) {
        const bool indented = !line.empty() && (line.front() == ' ' || line.front() == '\t');
        line = trim(line);
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;
        if (line.front() == '[' && line.back() == ']') {
            std::string_view name = trim(line.substr(1, line.size() - 2));
            usable = true;
            if (config_file) {
                // [default] or [profile name]; [sso-session x], [services x] are not profiles.
                if (name.starts_with("profile ") || name.starts_with("profile\t"))
                    name = trim(name.substr(8));
                else if (name != "default")
                    usable = false;
            }
            section = std::string(name);
            continue;
        }
        if (!usable || section.empty() || indented) continue;  // nested settings (s3 = ...) are not ours
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        visit(section, ascii::to_lower(trim(line.substr(0, eq))), std::string(trim(line.substr(eq + 1))));
    }
}

}  // namespace

SharedConfig parse_shared_config(std::string_view credentials_file, std::string_view config_file) {
    SharedConfig config;
    read_ini(config_file, true, [&](const std::string& name, const std::string& key, std::string value) {
        set(config.profiles[name], key, std::move(value));
    });
    read_ini(credentials_file, false, [&](const std::string& name, const std::string& key, std::string value) {
        set(config.profiles[name], key, std::move(value));
    });
    return config;
}

Result<CredentialPlan, std::string> plan_credentials(const SharedConfig& config, const std::string& profile_name) {
    CredentialPlan plan;
    std::vector<std::string> visited;
    std::string name = profile_name;
    while (true) {
        const auto it = config.profiles.find(name);
        if (it == config.profiles.end())
            return fail("profile " + name + " is not in the shared config or credentials files");
        if (std::find(visited.begin(), visited.end(), name) != visited.end()) {
            return fail("profile " + profile_name + ": source_profile loop through " + name);
        }
        visited.push_back(name);
        const Profile& profile = it->second;

        // A profile's own static keys end the chain, even under role_arn
        // when it is its own source (the SDKs' rule).
        const bool has_keys = !profile.access_key_id.empty() && !profile.secret_access_key.empty();
        if (!profile.role_arn.empty() && !(has_keys && profile.source_profile.empty())) {
            if (plan.roles.size() >= kMaxRoleChain) return fail("profile " + profile_name + ": role chain too long");
            plan.roles.insert(plan.roles.begin(), profile);
            if (!profile.web_identity_token_file.empty()) {
                plan.start = CredentialPlan::Start::WebIdentity;
                plan.base = profile;
                plan.roles.erase(plan.roles.begin());  // the web identity call assumes this role itself
                return plan;
            }
            if (!profile.source_profile.empty()) {
                if (profile.source_profile == name && has_keys) {
                    plan.base = profile;
                    return plan;
                }
                name = profile.source_profile;
                continue;
            }
            const std::string& source = profile.credential_source;
            if (source == "Environment")
                plan.start = CredentialPlan::Start::Environment;
            else if (source == "Ec2InstanceMetadata")
                plan.start = CredentialPlan::Start::Ec2InstanceMetadata;
            else if (source == "EcsContainer")
                plan.start = CredentialPlan::Start::EcsContainer;
            else
                return fail("profile " + name + ": role_arn needs source_profile or credential_source");
            return plan;
        }
        if (!has_keys) return fail("profile " + name + " has no aws_access_key_id and aws_secret_access_key");
        plan.base = profile;
        return plan;
    }
}

}  // namespace aia::aws
