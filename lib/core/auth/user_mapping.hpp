#pragma once
// Identity + mapping table -> the Kubernetes user kube-apiserver receives.

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/identity/identity.hpp"
#include "core/mapping/static_mapper.hpp"
#include "core/review/token_review.hpp"
#include "core/util/result.hpp"

namespace aia::auth {

struct UserMappingSettings {
    // Accounts whose identities are never echoed: the uid becomes
    // "aws-iam-authenticator:administrative:<username>" and no extras are sent
    // (upstream's server.scrubbedAccounts).
    std::unordered_set<std::string> scrubbed_accounts;
};

// Why an identity did not become a user; `message` is for the log.
struct MappingFailure {
    std::string message;
};

// Finds the identity's mapping, renders its templates and builds the user
// with upstream's uid and extras. `private_dns_name` is the EC2 lookup result
// when the mapping needs one (see mapping::needs_ec2_lookup).
Result<review::ReviewedUser, MappingFailure> map_identity(const identity::Identity& identity,
                                                         const mapping::StaticMapper& mapper,
                                                         const UserMappingSettings& settings,
                                                         const std::optional<std::string>& private_dns_name = std::nullopt);

// True when the mapping that would apply to `identity` uses {{EC2PrivateDNSName}}.
bool mapping_needs_ec2_lookup(const identity::Identity& identity, const mapping::StaticMapper& mapper);

}  // namespace aia::auth
