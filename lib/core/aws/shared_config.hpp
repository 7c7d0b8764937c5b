#pragma once
// ~/.aws/credentials and ~/.aws/config, read as the AWS SDKs read them.
//
//   credentials:  [name]           aws_access_key_id = ..., aws_secret_access_key = ...
//   config:       [profile name]   region = ..., role_arn = ..., source_profile = ...
//                 [default]
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
    std::string web_identity_token_file;
    std::string region;
};

struct SharedConfig {
    std::map<std::string, Profile> profiles;
};

SharedConfig parse_shared_config(std::string_view credentials_file, std::string_view config_file);

// How to obtain a profile's credentials: a starting point, then roles to
// assume in order (role_arn + source_profile, possibly chained).
struct CredentialPlan {
    enum class Start { StaticKeys, Environment, Ec2InstanceMetadata, EcsContainer, WebIdentity };
    Start start = Start::StaticKeys;
    Profile base;                // where the static keys or the web identity settings come from
    std::vector<Profile> roles;  // each carries role_arn, role_session_name, external_id
};

// Errors name the profile: missing, incomplete, a loop of source_profiles.
Result<CredentialPlan, std::string> plan_credentials(const SharedConfig& config, const std::string& profile);

}  // namespace aia::aws
