#pragma once
// Adding one mapping to the aws-auth ConfigMap (the `add user` / `add role`
// commands), as a text edit: the new entry's YAML is appended to the one
// data key it belongs to (mapRoles or mapUsers) and everything else, other
// keys, comments, formatting, is kept byte for byte. Upstream re-encodes
// the whole data map and so loses all of that.
//
// Pure: the object comes from a GET and goes back in a PUT (app/kube/aws_auth_editor).

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/mapping/entry_yaml.hpp"
#include "core/mapping/mapping_config.hpp"
#include "core/util/result.hpp"

namespace aia::kube {

struct NewMapping {
    mapping::EntryKind kind = mapping::EntryKind::Role;
    mapping::MappingEntry entry;  // arn or sso, username, groups
};

// Why the entry itself would be refused by the server, or nothing. SSO
// entries are checked as if --feature-gates=SSORoleMatch=true.
std::optional<std::string> mapping_problem(const NewMapping& mapping);

// What the prompt asks about, in upstream's words:
// "add userarn ARN, username NAME, groups [a b]", "add rolearn ARN, ...",
// "add sso permissionSetName=P,accountID=A, ...".
std::string describe_addition(const NewMapping& mapping);

// The entry as a one-item YAML block list, ending in a newline:
//   - rolearn: arn:aws:iam::111122223333:role/Admin
//     username: admin
//     groups:
//     - system:masters
// Values YAML would read as something other than a string (numbers, true,
// null, account IDs) are quoted, so upstream's decoder reads them too.
std::string entry_yaml(const NewMapping& mapping);

// `existing` (a data value) with the entry appended, indented like the
// existing items. Fails when `existing` is not a block list (a flow list
// "[...]" cannot be appended to as text).
Result<std::string, std::string> append_entry_text(std::string_view existing, std::string_view entry);

// The data key changed and its new value.
struct DataEdit {
    std::string key;  // "mapRoles" or "mapUsers"
    std::string value;
};

// Checks as upstream's add does, in its order and words: the data must
// parse ("failed to parse configmap ..."), the entry must be valid ("role is
// invalid: ..."), and must not be there already ("cannot add duplicate role
// ARN %q": case-insensitive; "cannot add duplicate user ARN %q":
// case-sensitive). Then appends, and checks that the result reads as the
// old entries plus the new one.
Result<DataEdit, std::string> add_to_data(const std::map<std::string, std::string>& data, const NewMapping& mapping);

// The GET answer with the edit applied: the body of the PUT. It keeps
// metadata.resourceVersion, so a concurrent change makes the PUT a 409.
Result<nlohmann::json, std::string> add_to_object(const nlohmann::json& object, const NewMapping& mapping);

// An object as YAML, keys in alphabetical order (as kubectl -o yaml and
// upstream print it), multi-line strings as literal blocks;
// metadata.managedFields is left out, as kubectl does.
std::string object_yaml(const nlohmann::json& object);

}  // namespace aia::kube
