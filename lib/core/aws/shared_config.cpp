#include "core/aws/shared_config.hpp"

#include <algorithm>
#include <utility>

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
    static const std::pair<std::string_view, std::string Profile::*> kKeys[] = {
        {"aws_access_key_id", &Profile::access_key_id},
        {"aws_secret_access_key", &Profile::secret_access_key},
        {"aws_session_token", &Profile::session_token},
        {"role_arn", &Profile::role_arn},
        {"source_profile", &Profile::source_profile},
        {"credential_source", &Profile::credential_source},
        {"role_session_name", &Profile::role_session_name},
        {"external_id", &Profile::external_id},
        {"mfa_serial", &Profile::mfa_serial},
        {"duration_seconds", &Profile::duration_seconds},
        {"web_identity_token_file", &Profile::web_identity_token_file},
        {"sso_session", &Profile::sso_session},
        {"sso_start_url", &Profile::sso_start_url},
        {"sso_region", &Profile::sso_region},
        {"sso_account_id", &Profile::sso_account_id},
        {"sso_role_name", &Profile::sso_role_name},
        {"credential_process", &Profile::credential_process},
        {"region", &Profile::region},
    };
    for (const auto& [name, member] : kKeys) {
        if (key == name) profile.*member = std::move(value);
    }
}

void set(SsoSession& session, const std::string& key, std::string value) {
    if (key == "sso_start_url")
        session.start_url = std::move(value);
    else if (key == "sso_region")
        session.region = std::move(value);
}

enum class Section { Profile, SsoSession, Other };

// What a config file's section header names: [default], [profile name] and
// [sso-session name] are ours; [services x] and the like are not.
std::pair<Section, std::string_view> config_section(std::string_view name) {
    for (const std::string_view prefix : {"profile", "sso-session"}) {
        if (name.size() > prefix.size() && name.starts_with(prefix) &&
            (name[prefix.size()] == ' ' || name[prefix.size()] == '\t')) {
            return {prefix == "profile" ? Section::Profile : Section::SsoSession, trim(name.substr(prefix.size()))};
        }
    }
    return {name == "default" ? Section::Profile : Section::Other, name};
}

// Calls `visit(section kind, section name, key, value)` for every setting.
template <class Visit>
void read_ini(std::string_view text, bool config_file, Visit visit) {
    std::string section;
    Section kind = Section::Other;
    for (std::string_view line : split(text, '\n')) {
        const bool indented = !line.empty() && (line.front() == ' ' || line.front() == '\t');
        line = trim(line);
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;
        if (line.front() == '[' && line.back() == ']') {
            const std::string_view name = trim(line.substr(1, line.size() - 2));
            const auto [found_kind, found_name] =
                config_file ? config_section(name) : std::pair{Section::Profile, name};
            kind = found_kind;
            section = std::string(found_name);
            continue;
        }
        if (kind == Section::Other || section.empty() || indented) continue;  // nested settings (s3 = ...) are not ours
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        visit(kind, section, ascii::to_lower(trim(line.substr(0, eq))), std::string(trim(line.substr(eq + 1))));
    }
}

}  // namespace

SharedConfig parse_shared_config(std::string_view credentials_file, std::string_view config_file) {
    SharedConfig config;
    const auto visit = [&](Section kind, const std::string& name, const std::string& key, std::string value) {
        if (kind == Section::SsoSession)
            set(config.sso_sessions[name], key, std::move(value));
        else
            set(config.profiles[name], key, std::move(value));
    };
    read_ini(config_file, true, visit);
    read_ini(credentials_file, false, visit);
    return config;
}

bool has_sso_settings(const Profile& profile) {
    return !profile.sso_session.empty() || !profile.sso_start_url.empty() || !profile.sso_account_id.empty() ||
           !profile.sso_role_name.empty();
}

Result<SsoSettings, std::string> resolve_sso_settings(const SharedConfig& config, const std::string& profile_name,
                                                      const Profile& profile) {
    const std::string where = "profile " + profile_name + ": ";
    SsoSettings settings{profile.sso_session, profile.sso_start_url, profile.sso_region, profile.sso_account_id,
                         profile.sso_role_name};
    if (!settings.session_name.empty()) {
        const auto session = config.sso_sessions.find(settings.session_name);
        if (session == config.sso_sessions.end())
            return fail(where + "sso_session " + settings.session_name + " has no [sso-session " +
                        settings.session_name + "] section");
        // Settings written in both places must agree, as the SDKs require.
        if (!settings.start_url.empty() && settings.start_url != session->second.start_url)
            return fail(where + "sso_start_url differs from that of sso-session " + settings.session_name);
        if (!settings.region.empty() && settings.region != session->second.region)
            return fail(where + "sso_region differs from that of sso-session " + settings.session_name);
        settings.start_url = session->second.start_url;
        settings.region = session->second.region;
    }
    std::string missing;
    for (const auto& [key, value] : {std::pair{"sso_start_url", &settings.start_url},
                                     {"sso_region", &settings.region},
                                     {"sso_account_id", &settings.account_id},
                                     {"sso_role_name", &settings.role_name}}) {
        if (value->empty()) missing += (missing.empty() ? "" : ", ") + std::string(key);
    }
    if (!missing.empty()) return fail(where + "incomplete SSO settings, missing " + missing);
    return settings;
}

namespace {

bool has_keys(const Profile& profile) { return !profile.access_key_id.empty() && !profile.secret_access_key.empty(); }

// A profile's own source of credentials (no source_profile involved):
// static keys, then SSO, then credential_process, as the Go SDK v2 orders them.
Result<bool, std::string> start_from_profile(const SharedConfig& config, const std::string& name,
                                             const Profile& profile, CredentialPlan& plan) {
    plan.base_name = name;
    plan.base = profile;
    if (has_keys(profile)) {
        plan.start = CredentialPlan::Start::StaticKeys;
        return true;
    }
    if (has_sso_settings(profile)) {
        auto sso = resolve_sso_settings(config, name, profile);
        if (!sso) return fail(std::move(sso).error());
        plan.start = CredentialPlan::Start::Sso;
        plan.sso = std::move(sso).value();
        return true;
    }
    if (!profile.credential_process.empty()) {
        plan.start = CredentialPlan::Start::Process;
        return true;
    }
    return fail("profile " + name +
                " has no credentials (aws_access_key_id and aws_secret_access_key, SSO settings or "
                "credential_process)");
}

// A role profile without source_profile: where its base credentials come from.
Result<bool, std::string> start_for_role(const SharedConfig& config, const std::string& name, const Profile& profile,
                                         CredentialPlan& plan) {
    plan.base_name = name;
    const std::string& source = profile.credential_source;
    if (source == "Environment")
        plan.start = CredentialPlan::Start::Environment;
    else if (source == "Ec2InstanceMetadata")
        plan.start = CredentialPlan::Start::Ec2InstanceMetadata;
    else if (source == "EcsContainer")
        plan.start = CredentialPlan::Start::EcsContainer;
    else if (!source.empty())
        return fail("profile " + name + ": unknown credential_source " + source);
    else if (has_sso_settings(profile) || !profile.credential_process.empty())
        return start_from_profile(config, name, profile, plan);
    else
        return fail("profile " + name + ": role_arn needs source_profile or credential_source");
    return true;
}

}  // namespace

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
        if (profile.role_arn.empty() || (has_keys(profile) && profile.source_profile.empty())) {
            auto started = start_from_profile(config, name, profile, plan);
            if (!started) return fail(std::move(started).error());
            return plan;
        }
        if (plan.roles.size() >= kMaxRoleChain) return fail("profile " + profile_name + ": role chain too long");
        plan.roles.insert(plan.roles.begin(), profile);
        if (!profile.web_identity_token_file.empty()) {
            plan.start = CredentialPlan::Start::WebIdentity;
            plan.base_name = name;
            plan.base = profile;
            plan.roles.erase(plan.roles.begin());  // the web identity call assumes this role itself
            return plan;
        }
        if (!profile.source_profile.empty()) {
            if (profile.source_profile == name && has_keys(profile)) {
                plan.base_name = name;
                plan.base = profile;
                return plan;
            }
            name = profile.source_profile;
            continue;
        }
        auto started = start_for_role(config, name, profile, plan);
        if (!started) return fail(std::move(started).error());
        return plan;
    }
}

}  // namespace aia::aws
