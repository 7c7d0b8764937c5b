#include "core/auth/user_mapping.hpp"

#include "core/mapping/templates.hpp"
#include "core/util/quote.hpp"

namespace aia::auth {
namespace {

using Extra = std::vector<std::pair<std::string, std::vector<std::string>>>;

// Upstream's extras, each a one-element list.
Extra extras_of(const identity::Identity& id) {
    return {{"arn", {id.arn}},
            {"canonicalArn", {id.canonical_arn}},
            {"sessionName", {id.session_name}},
            {"accessKeyId", {id.access_key_id}},
            {"principalId", {id.user_id}},
            {"sigs.k8s.io/aws-iam-authenticator/principalId", {id.user_id}}};
}

}  // namespace

bool mapping_needs_ec2_lookup(const identity::Identity& identity, const mapping::StaticMapper& mapper) {
    const auto match = mapper.match(identity);
    if (!match || match->entry == nullptr) return false;
    if (mapping::needs_ec2_lookup(match->entry->username)) return true;
    for (const std::string& group : match->entry->groups) {
        if (mapping::needs_ec2_lookup(group)) return true;
    }
    return false;
}

Result<review::ReviewedUser, MappingFailure> map_identity(const identity::Identity& identity,
                                                         const mapping::StaticMapper& mapper,
                                                         const UserMappingSettings& settings,
                                                         const std::optional<std::string>& private_dns_name) {
    const auto match = mapper.match(identity);
    if (!match) return fail(MappingFailure{"identity is not mapped"});

    review::ReviewedUser user;
    if (match->by_account) {
        user.username = identity.canonical_arn;
    } else {
        auto username = mapping::render(match->entry->username, identity, private_dns_name);
        if (!username) {
            return fail(MappingFailure{"error rendering username template " + quote(match->entry->username, 256) +
                                       ": " + username.error()});
        }
        user.username = std::move(username).value();
        for (const std::string& pattern : match->entry->groups) {
            auto group = mapping::render(pattern, identity, private_dns_name);
            if (!group) {
                return fail(MappingFailure{"error rendering group template " + quote(pattern, 256) + ": " + group.error()});
            }
            user.groups.push_back(std::move(group).value());
        }
    }
    if (user.username.empty()) return fail(MappingFailure{"mapping rendered an empty username"});

    if (settings.scrubbed_accounts.contains(identity.account_id)) {
        user.uid = "aws-iam-authenticator:administrative:" + user.username;
    } else {
        user.uid = "aws-iam-authenticator:" + identity.account_id + ":" + identity.user_id;
        user.extra = extras_of(identity);
    }
    return user;
}

}  // namespace aia::auth
