#pragma once
// Amazon Resource Names of IAM principals: parsing and canonicalization.
//
// STS reports a role session as
//   arn:aws:sts::111122223333:assumed-role/Admin/alice
// while mappings name the role itself,
//   arn:aws:iam::111122223333:role/Admin
// Canonicalization turns the first into the second (and keeps the session
// name apart), so a mapping entry matches every session of its role.

#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace aia::arn {

struct Arn {
    std::string partition;  // "aws", "aws-cn", ...
    std::string service;    // "iam", "sts"
    std::string region;     // empty for IAM and STS principals
    std::string account;    // 12 digits for IAM and STS principals
    std::string resource;   // "role/Admin", "user/path/bob", "root", ...
};

// "arn:<partition>:<service>:<region>:<account>:<resource>"; the resource may
// itself contain ':'. Checks the shape only.
Result<Arn, std::string> parse(std::string_view text);

enum class PrincipalType {
    User,           // arn:<p>:iam::<acct>:user[/path]/<name>
    Role,           // arn:<p>:iam::<acct>:role[/path]/<name>
    Root,           // arn:<p>:iam::<acct>:root
    FederatedUser,  // arn:<p>:sts::<acct>:federated-user/<name>
    AssumedRole,    // arn:<p>:sts::<acct>:assumed-role/<role>/<session>
};

std::string_view to_string(PrincipalType type) noexcept;

struct Canonical {
    PrincipalType type;
    std::string arn;  // the IAM ARN a mapping names
    std::string account;
};

// Validates an identity ARN (known partition, iam or sts, 12-digit account,
// no region, a known resource type with well-formed names) and returns its
// canonical form: assumed-role sessions become their role; everything else
// is returned unchanged. Errors keep upstream's wording.
Result<Canonical, std::string> canonicalize(std::string_view text);

// Drops the IAM path of a role ARN: "role/team/ops/Admin" -> "role/Admin".
// STS reports role sessions without the path, so a mapping that names a
// role with its path can only match through this. Other ARNs are returned
// unchanged.
Result<std::string, std::string> strip_role_path(std::string_view text);

// The same for an ARN canonicalize() already checked, without parsing it
// again: a role's or a role session's canonical (role) ARN without its
// path; any other canonical ARN as it is.
std::string without_role_path(const Canonical& canonical);

}  // namespace aia::arn
