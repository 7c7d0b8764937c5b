#pragma once
// IAMIdentityMapping objects (iamauthenticator.k8s.aws/v1alpha1, cluster
// scoped) as upstream's CRD backend reads them:
//   - its controller writes status.canonicalARN = canonicalize(lower(spec.arn));
//   - lookups match the caller's lower-cased canonical ARN against
//     status.canonicalARN only, so an object without status maps nobody.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/mapping/mapping_config.hpp"
#include "core/util/result.hpp"

namespace aia::kube {

struct IdentityMapping {
    std::string name;  // metadata.name
    std::string resource_version;
    std::string arn;  // spec.arn as written
    std::string username;
    std::vector<std::string> groups;
    std::string canonical_arn;  // status.canonicalARN; "" until the controller wrote it
};

Result<IdentityMapping, std::string> parse_identity_mapping(const nlohmann::json& object);

// What the controller writes into status.canonicalARN for spec.arn.
Result<std::string, std::string> status_canonical_arn(std::string_view spec_arn);

// Entries for MappingTable::build, keyed by status.canonicalARN: role ARNs to
// roles, every other principal to users. Objects without a status are
// skipped with a warning naming them.
mapping::MappingConfig identity_mappings_to_config(const std::vector<IdentityMapping>& objects,
                                                   std::vector<std::string>& warnings);

}  // namespace aia::kube
