#pragma once
// ~/.aws/credentials and ~/.aws/config, read as the AWS SDKs read them.
//
//   credentials:  [name]           aws_access_key_id = ..., aws_secret_access_key = ...
//   config:       [profile name]   region = ..., role_arn = ..., source_profile = ...
//                 [default]
//                 [sso-session name]  sso_start_url = ..., sso_region = ...
// For one profile the credentials file wins over the config file.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.hpp"

namespace aia::aws {

struct Profile {
    std::string access_key_id, secret_access_key, session_token;
    std::string role_arn, source_profile, credential_source, role_session_name, external_id;
    std::string mfa_serial, duration_seconds;
    std::string web_identity_token_file;
    std::string sso_session, sso_start_url, sso_region, sso_account_id, sso_role_name;
    std::string credential_process;
    std::string region;
};

// An [sso-session name] section: the IAM Identity Center portal to sign in at.
struct SsoSession {
    std::string start_url, region;
};

struct SharedConfig {
    std::map<std::string, Profile> profiles;
    std::map<std::string, SsoSession> sso_sessions;
};

SharedConfig parse_shared_config(std::string_view credentials_file, std::string_view config_file);

// Where an SSO profile's credentials come from: the cached sign-in of
// `session_name` (the sso_session form) or of `start_url` (the legacy form),
// exchanged at the portal of `region` for the account's role.
struct SsoSettings {
    std::string session_name;  // empty in the legacy form
    std::string start_url, region, account_id, role_name;
};

// How to obtain a profile's credentials: a starting point, then roles to
// assume in order (role_arn + source_profile, possibly chained).
struct CredentialPlan {
    enum class Start { StaticKeys, Environment, Ec2InstanceMetadata, EcsContainer, WebIdentity, Sso, Process };
    Start start = Start::StaticKeys;
    std::string base_name;       // the profile the start comes from (for messages)
    Profile base;                // its settings: static keys, web identity, credential_process
    SsoSettings sso;             // Start::Sso only
    std::vector<Profile> roles;  // each carries role_arn, role_session_name, external_id, mfa_serial
};

// The order of the AWS SDK for Go v2 (config/resolve_credentials.go): a
// source_profile first, then the profile's static keys, credential_source,
// web identity, SSO, credential_process; a role_arn is then assumed on top.
// Errors name the profile: missing, incomplete, a loop of source_profiles.
Result<CredentialPlan, std::string> plan_credentials(const SharedConfig& config, const std::string& profile);

// True when the profile names any SSO setting (it is meant to use SSO).
bool has_sso_settings(const Profile& profile);

// The SSO settings of a profile, its sso-session's merged in; errors name
// what is missing or contradictory.
Result<SsoSettings, std::string> resolve_sso_settings(const SharedConfig& config, const std::string& profile_name,
                                                      const Profile& profile);

}  // namespace aia::aws
