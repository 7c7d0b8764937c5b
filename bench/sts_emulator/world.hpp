#pragma once
// What the emulated AWS knows, from one JSON fixture, plus the temporary
// credentials it hands out while running.
//
//   {"identities": [          long-lived or fixed keys, each a principal
//      {"accessKeyId": "...", "secretAccessKey": "...", "sessionToken": "...",   (sessionToken optional)
//       "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice", "userId": "..."}], (userId optional)
//    "assumableRoles": ["arn:aws:iam::111122223333:role/Ec2Reader"],   AssumeRole targets
//    "webIdentityTokens": [{"token": "...", "roleArn": "..."}],         AssumeRoleWithWebIdentity
//    "instances": [{"instanceId": "i-...", "privateDnsName": "ip-...", "state": "running"}],
//    "instanceProfileRole": "arn:aws:iam::111122223333:role/NodeRole",  what instance metadata hands out
//    "containerRole": "arn:aws:iam::111122223333:role/PodRole",         what the container endpoint hands out
//    "containerAuthorizationToken": "...",
//    "region": "us-west-2",
//    "mfaRoles": [{"roleArn": "...", "serialNumber": "arn:aws:iam::...:mfa/alice", "tokenCode": "123456"}],
//                              AssumeRole targets whose trust policy demands that MFA device's code
//    "ssoAccessTokens": [{"accessToken": "...", "user": "alice", "expiresAt": "2030-01-01T00:00:00Z",
//                         "roles": [{"accountId": "111122223333", "roleName": "ClusterAdmin"}]}]}
//                              IAM Identity Center sign-ins (expiresAt optional), each with the
//                              permission sets it may use; their role credentials are sessions of
//                              arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_<role>_<hex>
//                              named after the user, as Identity Center names them
//
// Thread-safe: the emulator's workers share one World.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/util/amz_time.hpp"
#include "core/util/result.hpp"

namespace aia::bench {

struct Principal {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;
    std::string arn;
    std::string account;
    std::string user_id;
    std::optional<amz_time::Seconds> expiration;  // issued credentials only
};

struct Instance {
    std::string instance_id;
    std::string private_dns_name;
    std::string state = "running";
};

// An MFA device a role's trust policy requires, and the code it shows.
struct MfaRequirement {
    std::string serial_number;
    std::string token_code;
};

struct SsoGrant {
    std::string account_id, role_name;
};

// A user signed in to IAM Identity Center (what `aws sso login` caches).
struct SsoSignIn {
    std::string user;
    std::optional<amz_time::Seconds> expires_at;
    std::vector<SsoGrant> grants;

    bool may_use(std::string_view account_id, std::string_view role_name) const;
};

class World {
public:
    static Result<std::unique_ptr<World>, std::string> parse(std::string_view json_text,
                                                             std::chrono::seconds credential_lifetime);

    // The principal behind a key, expired ones included (callers decide).
    std::optional<Principal> find(std::string_view access_key_id) const;

    // New temporary credentials for a session of `role_arn`.
    Principal issue(const std::string& role_arn, const std::string& session_name, amz_time::Seconds now);

    bool is_assumable(std::string_view role_arn) const;
    // The role a web identity token may assume, if any.
    std::optional<std::string> web_identity_role(std::string_view token) const;
    const Instance* instance(std::string_view instance_id) const;
    // The MFA device assuming `role_arn` needs, if it needs one.
    std::optional<MfaRequirement> mfa_requirement(std::string_view role_arn) const;
    // The sign-in an SSO access token stands for, if any (expired ones included).
    const SsoSignIn* sso_sign_in(std::string_view access_token) const;

    const std::string& instance_profile_role() const { return instance_profile_role_; }
    const std::string& container_role() const { return container_role_; }
    const std::string& container_authorization_token() const { return container_token_; }
    const std::string& region() const { return region_; }
    std::size_t identity_count() const { return static_principals_.size(); }

    World() = default;

private:
    std::unordered_map<std::string, Principal> static_principals_;
    std::vector<std::string> assumable_roles_;
    std::map<std::string, std::string> web_identity_tokens_;  // token -> role ARN
    std::map<std::string, MfaRequirement> mfa_roles_;         // role ARN -> its MFA device
    std::map<std::string, SsoSignIn> sso_sign_ins_;           // access token -> sign-in
    std::unordered_map<std::string, Instance> instances_;
    std::string instance_profile_role_, container_role_, container_token_, region_ = "us-east-1";
    std::chrono::seconds lifetime_{900};

    mutable std::mutex mutex_;  // guards issued_ and random_
    std::unordered_map<std::string, Principal> issued_;
    std::mt19937_64 random_{std::random_device{}()};
};

// The IAM role behind an Identity Center permission set in an account:
// ".../aws-reserved/sso.amazonaws.com/AWSReservedSSO_<name>_<16 hex>".
std::string sso_role_arn(std::string_view account_id, std::string_view role_name);

// A principal's STS unique ID, derived from its ARN as STS shapes them.
std::string derive_user_id(std::string_view arn);

}  // namespace aia::bench
