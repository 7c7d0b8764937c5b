#pragma once
// Mappings as written: the mapRoles / mapUsers / mapAccounts of the server
// config, of an aws-auth ConfigMap or of a DynamicFile.

#include <optional>
#include <string>
#include <vector>

namespace aia::mapping {

// An IAM Identity Center permission set: matches the roles it creates in an
// account, AWSReservedSSO_<PermissionSetName>_<16 hex digits>.
struct SsoMatcher {
    std::string permission_set_name;
    std::string account_id;
    std::string partition;  // empty: the server's partition
};

struct MappingEntry {
    std::string arn;                  // rolearn / userarn: an ARN or an ArnLike pattern; empty for SSO entries
    std::optional<SsoMatcher> sso;    // mapRoles only
    std::string username;             // may contain templates
    std::vector<std::string> groups;  // may contain templates
    std::string user_id;              // DynamicFile "userid": the STS unique ID (userIDStrict matching)
    std::string origin;               // where it was written, e.g. "mapRoles[2]" (set by the parser)
};

struct MappingConfig {
    std::vector<MappingEntry> roles;
    std::vector<MappingEntry> users;
    std::vector<std::string> accounts;  // every principal of these accounts maps to its own ARN
};

}  // namespace aia::mapping
