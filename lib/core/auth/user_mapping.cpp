#include "core/auth/user_mapping.hpp"

#include "core/mapping/templates.hpp"
#include "core/util/quote.hpp"

namespace aia::auth {
namespace {

using Extra = std::vector<std::pair<std::string, std::vector<std::string>>>;

// Upstream's extras, each a one-element list.
// Built entry by entry: a nested initializer list copies every string twice,
// and this runs for every granted request.
Extra extras_of(const identity::Identity& id) {
    Extra extra;
    extra.reserve(6);
    const auto add = [&extra](std::string_view key, const std::string& value) {
        extra.emplace_back(std::string(key), std::vector<std::string>(1, value));
    };
    add("arn", id.arn);
    add("canonicalArn", id.canonical_arn);
    add("sessionName", id.session_name);
    add("accessKeyId", id.access_key_id);
    add("principalId", id.user_id);
    add("sigs.k8s.io/aws-iam-authenticator/principalId", id.user_id);
    return extra;
}

struct Found {
    const SourceSnapshot* source;
    mapping::MappingMatch match;
};

std::optional<Found> find(const identity::Identity& identity, std::span<const SourceSnapshot> sources) {
    for (const SourceSnapshot& source : sources) {
        if (!source.table) continue;
        if (auto match = source.table->match(identity)) return Found{&source, *match};
    }
    return std::nullopt;
}

std::string list(std::span<const std::string> items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? " " : "") + items[i];
    return out + "]";
}

}  // namespace

bool mapping_needs_ec2_lookup(const identity::Identity& identity, std::span<const SourceSnapshot> sources) {
    const auto found = find(identity, sources);
    if (!found || found->match.entry == nullptr) return false;
    const mapping::MappingEntry& entry = *found->match.entry;
    if (mapping::needs_ec2_lookup(entry.username)) return true;
    for (const std::string& group : entry.groups) {
        if (mapping::needs_ec2_lookup(group)) return true;
    }
    return false;
}

Result<MappedUser, MappingFailure> map_identity(const identity::Identity& identity,
                                                std::span<const SourceSnapshot> sources,
                                                const UserMappingSettings& settings,
                                                const std::optional<std::string>& private_dns_name) {
    const auto found = find(identity, sources);
    if (!found) return fail(MappingFailure{"identity is not mapped"});

    MappedUser mapped;
    mapped.source = std::string(found->source->name);
    mapped.kind = found->match.kind;
    review::ReviewedUser& user = mapped.user;
    if (const mapping::MappingEntry* entry = found->match.entry) {
        mapped.origin = entry->origin;
        auto username = mapping::render(entry->username, identity, private_dns_name);
        if (!username) {
            return fail(MappingFailure{"error rendering username template " + quote(entry->username, 256) + ": " +
                                       username.error()});
        }
        user.username = std::move(username).value();
        for (const std::string& pattern : entry->groups) {
            auto group = mapping::render(pattern, identity, private_dns_name);
            if (!group) {
                return fail(
                    MappingFailure{"error rendering group template " + quote(pattern, 256) + ": " + group.error()});
            }
            if (group->empty())
                return fail(MappingFailure{"mapping rendered an empty group from " + quote(pattern, 256)});
            user.groups.push_back(std::move(group).value());
        }
    } else {
        mapped.origin = "mapAccounts";
        user.username = identity.canonical_arn;
    }
    if (user.username.empty()) return fail(MappingFailure{"mapping rendered an empty username"});
    // As upstream: entries only (not mapAccounts), and empty prefixes skipped.
    for (const std::string& prefix :
         found->match.entry ? found->source->reserved_prefixes : std::span<const std::string>{}) {
        if (!prefix.empty() && user.username.starts_with(prefix)) {
            // Upstream's wording, "with with" included.
            return fail(MappingFailure{"invalid username '" + user.username + "' for mapper " + mapped.source +
                                       ": username must not begin with with the following prefixes: " +
                                       list(found->source->reserved_prefixes)});
        }
    }

    if (settings.scrubbed_accounts.contains(identity.account_id)) {
        user.uid = "aws-iam-authenticator:administrative:" + user.username;
    } else {
        user.uid = "aws-iam-authenticator:" + identity.account_id + ":" + identity.user_id;
        user.extra = extras_of(identity);
    }
    return mapped;
}

}  // namespace aia::auth
