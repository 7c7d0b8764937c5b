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
//    "region": "us-west-2"}
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
    std::unordered_map<std::string, Instance> instances_;
    std::string instance_profile_role_, container_role_, container_token_, region_ = "us-east-1";
    std::chrono::seconds lifetime_{900};

    mutable std::mutex mutex_;  // guards issued_ and random_
    std::unordered_map<std::string, Principal> issued_;
    std::mt19937_64 random_{std::random_device{}()};
};

// A principal's STS unique ID, derived from its ARN as STS shapes them.
std::string derive_user_id(std::string_view arn);

}  // namespace aia::bench
