#pragma once
// The aws-auth ConfigMap, read the way EKS reads it.
//
// Its data holds YAML *strings*: data.mapRoles and data.mapUsers are YAML
// lists of entries, data.mapAccounts a YAML list of account IDs. Quirks kept
// from upstream (its fixtures pkg/mapper/configmap/yaml/aws-auth-*.yaml):
//   - entry field names are case-insensitive (rolearn, roleARN, rOlEaRn);
//   - the data keys themselves are case-sensitive (maproles is not mapRoles,
//     and is ignored with a warning);
//   - a value that is empty, "", '' or `` (after trimming) means no entries;
//   - a mis-indented "- system:nodes" under a group continues the previous
//     item (YAML folding): one group "system:bootstrappers - system:nodes";
//   - a missing "|" after mapRoles: makes data.mapRoles a list, not a string:
//     not a valid ConfigMap, refused as a whole.
// Unlike upstream, a YAML error in any key refuses the whole document, so
// the last good table stays in force (upstream empties that key: a lock-out).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/mapping/mapping_config.hpp"
#include "core/util/result.hpp"

namespace aia::mapping {

// A whole-document failure, with the YAML line when there is one.
struct AwsAuthError {
    std::string where;  // "data.mapRoles", "manifest"
    std::string what;   // includes "line N" when YAML said so
};

struct AwsAuthContent {
    MappingConfig config;
    std::vector<std::string> warnings;
};

// A ConfigMap manifest (YAML or JSON): kind ConfigMap (if given), data.* strings.
Result<std::map<std::string, std::string>, AwsAuthError> parse_config_map_manifest(std::string_view text);

// The data map of the ConfigMap (from a manifest or a mounted volume).
Result<AwsAuthContent, AwsAuthError> parse_aws_auth_data(const std::map<std::string, std::string>& data);

}  // namespace aia::mapping
