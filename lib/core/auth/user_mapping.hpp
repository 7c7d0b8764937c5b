#pragma once
// Identity + mapping sources -> the Kubernetes user kube-apiserver receives.
//
// Sources are tried in --backend-mode order; the first whose table maps the
// identity wins (its mapAccounts included, as upstream). A source that has
// not loaded yet is skipped. The rendered username must not start with one
// of that source's reserved prefixes (upstream's reservedPrefixConfig).

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/identity/identity.hpp"
#include "core/mapping/mapping_table.hpp"
#include "core/review/token_review.hpp"
#include "core/util/result.hpp"

namespace aia::auth {

// One source as a request sees it: a consistent snapshot. The name and the
// prefixes point into the source's settings, which outlive requests.
struct SourceSnapshot {
    std::string_view name;                               // "MountedFile", "EKSConfigMapFile", "DynamicFile"
    std::shared_ptr<const mapping::MappingTable> table;  // nullptr until the source first loads
    std::span<const std::string> reserved_prefixes;
};

struct UserMappingSettings {
    // Accounts whose identities are never echoed: the uid becomes
    // "aws-iam-authenticator:administrative:<username>" and no extras are sent
    // (upstream's server.scrubbedAccounts).
    std::unordered_set<std::string> scrubbed_accounts;
};

struct MappedUser {
    review::ReviewedUser user;
    std::string source;  // which source mapped it
    std::string origin;  // which entry ("mapRoles[2]"), or "mapAccounts"
    mapping::MatchKind kind;
};

// Why an identity did not become a user; `message` is for the log.
struct MappingFailure {
    std::string message;
};

// `private_dns_name` is the EC2 lookup result when the mapping needs one
// (see mapping_needs_ec2_lookup).
Result<MappedUser, MappingFailure> map_identity(const identity::Identity& identity,
                                                std::span<const SourceSnapshot> sources,
                                                const UserMappingSettings& settings,
                                                const std::optional<std::string>& private_dns_name = std::nullopt);

// True when the mapping that would apply to `identity` uses {{EC2PrivateDNSName}}.
bool mapping_needs_ec2_lookup(const identity::Identity& identity, std::span<const SourceSnapshot> sources);

}  // namespace aia::auth
