#pragma once
// Reading mapRoles / mapUsers entries from YAML, shared by the server config
// and the aws-auth ConfigMap. Field names match without regard to letter
// case ("rolearn", "roleARN", "rOlEaRn"), as upstream's decoders do.
//
//   - rolearn: arn:aws:iam::111122223333:role/Admin     (or userarn in mapUsers)
//     username: admin:{{SessionName}}
//     groups: [system:masters]
//   - sso: {permissionSetName: Admin, accountID: "111122223333"}
//     username: sso-admin

#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/mapping/mapping_config.hpp"
#include "core/util/result.hpp"

namespace aia::mapping {

// A problem with the shape of the list, naming where ("mapRoles[2].groups").
struct ShapeError {
    std::string where;
    std::string what;
};

enum class EntryKind { Role, User };

// `where` names the list in messages and becomes each entry's origin
// prefix ("server.mapRoles" -> origin "server.mapRoles[0]"). Unknown fields
// are reported in `warnings`; a wrong shape fails the whole list.
Result<std::vector<MappingEntry>, ShapeError> parse_entry_list(const YAML::Node& node, const std::string& where,
                                                               EntryKind kind, std::vector<std::string>& warnings);

// A list of account IDs (numbers keep their written digits: 012345678901).
Result<std::vector<std::string>, ShapeError> parse_account_list(const YAML::Node& node, const std::string& where);

// One scalar as written ("" for null); anything else is a ShapeError.
Result<std::string, ShapeError> read_scalar(const YAML::Node& node, const std::string& where);
// A list of scalars (empty for null).
Result<std::vector<std::string>, ShapeError> read_scalar_list(const YAML::Node& node, const std::string& where);

}  // namespace aia::mapping
