#pragma once
// Username and group templates of a mapping, rendered for one identity.
//
//   {{AccountID}}          12-digit account
//   {{SessionName}}        role session name with '@' replaced by '-' (upstream)
//   {{SessionNameRaw}}     role session name as is
//   {{AccessKeyID}}        access key ID from the token
//   {{EC2PrivateDNSName}}  private DNS name of the EC2 instance whose ID is
//                          the session name (needs an EC2 lookup: the caller
//                          resolves it and passes it in)
// Anything else in braces is left verbatim, as upstream does.
//
// Session names are chosen by whoever assumes the role: a template using them
// is only as trustworthy as the role's trust policy.

#include <optional>
#include <string>
#include <string_view>

#include "core/identity/identity.hpp"
#include "core/util/result.hpp"

namespace aia::mapping {

inline constexpr std::string_view kEc2PrivateDnsName = "{{EC2PrivateDNSName}}";

bool needs_ec2_lookup(std::string_view template_text);

// The first "{{...}}" in `template_text` that is not one of the placeholders
// above, or nothing. Upstream leaves unknown ones verbatim; we refuse the
// entry, since a typo like {{SessionNmae}} would otherwise map everyone of a
// role to the same literal name.
std::optional<std::string> unknown_placeholder(std::string_view template_text);

// True when `session_name` is an EC2 instance ID (i- plus 8 or 17 word
// characters), the only session names an EC2 lookup is attempted for.
bool is_instance_id(std::string_view session_name);

// `private_dns_name` is the looked-up name when the template needs one.
Result<std::string, std::string> render(std::string_view template_text, const identity::Identity& identity,
                                        const std::optional<std::string>& private_dns_name = std::nullopt);

}  // namespace aia::mapping
