#pragma once
// Mappings as configured: the mapRoles / mapUsers / mapAccounts of the
// server config (and, later, of the aws-auth ConfigMap).

#include <string>
#include <vector>

namespace aia::mapping {

struct MappingEntry {
    std::string arn;                  // rolearn / userarn as written
    std::string username;             // may contain templates
    std::vector<std::string> groups;  // may contain templates
};

struct MappingConfig {
    std::vector<MappingEntry> roles;
    std::vector<MappingEntry> users;
    std::vector<std::string> accounts;  // every principal of these accounts maps to its own ARN
};

}  // namespace aia::mapping
