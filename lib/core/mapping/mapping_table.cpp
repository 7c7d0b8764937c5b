#include "core/mapping/mapping_table.hpp"

#include <algorithm>
#include <array>

#include "core/arn/arn.hpp"
#include "core/aws/partition.hpp"
#include "core/mapping/templates.hpp"
#include "core/util/ascii.hpp"
#include "core/util/quote.hpp"

namespace aia::mapping {
namespace {

constexpr std::size_t kMaxNearMisses = 5;

bool is_permission_set_name(std::string_view name) {
    return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
        return ascii::is_alnum(c) || c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
    });
}

}  // namespace

std::optional<std::string> entry_problem(const MappingEntry& entry, bool is_role, const TableOptions& options) {
    if (is_role && entry.sso && !entry.arn.empty()) return "only one of rolearn or sso can be supplied";
    if (options.user_id_strict) {
        if (entry.user_id.empty()) return "userid must be supplied (dynamicfileUserIDStrict is on)";
    } else if (!entry.sso && entry.arn.empty()) {
        return is_role ? "one of rolearn or sso must be supplied" : "userarn must be supplied";
    }
    if (entry.sso) {
        if (!options.sso_enabled) return "sso entries need --feature-gates=SSORoleMatch=true (as upstream)";
        const SsoMatcher& sso = *entry.sso;
        if (sso.account_id.size() != 12 || !ascii::all_of_digits(sso.account_id)) {
            return "sso.accountID " + quote(sso.account_id) + " is not a 12-digit account ID";
        }
        if (!is_permission_set_name(sso.permission_set_name)) {
            return "sso.permissionSetName " + quote(sso.permission_set_name) + " is not a valid permission set name";
        }
        if (!sso.partition.empty() && aws::find_partition(sso.partition) == nullptr) {
            return "sso.partition " + quote(sso.partition) + " is not a partition";
        }
    }
    if (!entry.arn.empty()) {
        if (ArnPattern::is_pattern(entry.arn)) {
            if (auto pattern = ArnPattern::parse(entry.arn, is_role ? PatternKind::Role : PatternKind::User);
                !pattern) {
                return pattern.error();
            }
        } else if (auto canonical = arn::canonicalize(entry.arn); !canonical) {
            return canonical.error();
        } else if (canonical->type == arn::PrincipalType::AssumedRole) {
            // A session ARN would match every session of its role, not just
            // the one named (upstream's aws-auth mapper never matches it).
            return "names a role session; map the role " + canonical->arn + " instead";
        }
    }
    if (entry.username.empty()) return "username must be supplied";
    if (auto unknown = unknown_placeholder(entry.username))
        return "unknown template variable " + *unknown + " in username";
    for (const std::string& group : entry.groups) {
        if (auto unknown = unknown_placeholder(group)) return "unknown template variable " + *unknown + " in groups";
    }
    return std::nullopt;
}

namespace {

// Role sessions' ARNs carry no IAM path, so a role pattern with one never
// matches.
bool role_pattern_needs_path(const ArnPattern& pattern) {
    const std::string_view resource = pattern.section(5);
    return resource.starts_with("role/") && resource.substr(5).find('/') != std::string_view::npos;
}

// "AWSReservedSSO_<name>_<16 hex>", the roles IAM Identity Center creates.
bool is_sso_role_for(std::string_view role_name, std::string_view permission_set) {
    const std::string prefix = "awsreservedsso_" + ascii::to_lower(permission_set) + "_";
    const std::string name = ascii::to_lower(role_name);
    if (!name.starts_with(prefix) || name.size() != prefix.size() + 16) return false;
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(), ascii::is_hex_digit);
}

struct RoleParts {
    std::string partition, account, name;
    bool is_role = false;
};

RoleParts role_parts(std::string_view canonical_arn) {
    RoleParts parts;
    auto parsed = arn::parse(canonical_arn);
    if (!parsed) return parts;
    parts.partition = parsed->partition;
    parts.account = parsed->account;
    parts.is_role = parsed->service == "iam" && parsed->resource.starts_with("role/");
    parts.name = parsed->resource.substr(parsed->resource.rfind('/') + 1);
    return parts;
}

std::string describe(const MappingEntry& entry) {
    if (entry.sso) {
        return "sso{permissionSetName: " + entry.sso->permission_set_name + ", accountID: " + entry.sso->account_id +
               "}";
    }
    return entry.arn.empty() ? "userid " + entry.user_id : entry.arn;
}

}  // namespace

std::string_view to_string(MatchKind kind) noexcept {
    switch (kind) {
        case MatchKind::UserId:
            return "user ID";
        case MatchKind::ExactArn:
            return "exact ARN";
        case MatchKind::ArnWithoutPath:
            return "ARN without its path";
        case MatchKind::Sso:
            return "IAM Identity Center permission set";
        case MatchKind::Pattern:
            return "pattern";
        case MatchKind::Account:
            return "mapAccounts";
    }
    return "unknown";
}

Result<std::string, std::string> mapping_key(std::string_view arn) {
    auto canonical = arn::canonicalize(arn);
    if (!canonical) return fail(std::move(canonical).error());
    std::string key = arn::without_role_path(*canonical);
    for (char& c : key) c = ascii::to_lower(c);
    return key;
}

namespace {

// An entry that passed its checks, waiting to be placed in the table.
struct Candidate {
    MappingEntry entry;  // moved into the table once placed
    std::string origin;  // the entry's, kept for the problems of the entries it beats
    bool is_role = false;
    std::string exact_key;     // the ARN as written, canonical, lower case
    std::string stripped_key;  // the same without a role path (mapping_key)
};

bool names_one_arn(const MappingEntry& entry, const TableOptions& options) {
    return !options.user_id_strict && !entry.sso && !ArnPattern::is_pattern(entry.arn);
}

// Each entry's own checks, in the order written; the problems are reported.
std::vector<Candidate> checked_candidates(MappingConfig& config, const TableOptions& options,
                                          std::vector<std::string>& problems) {
    std::vector<Candidate> candidates;
    const auto check = [&](std::vector<MappingEntry>& entries, bool is_role) {
        for (MappingEntry& entry : entries) {
            if (auto problem = entry_problem(entry, is_role, options)) {
                problems.push_back(entry.origin + ": " + *problem + "; entry ignored");
                continue;
            }
            std::string origin = entry.origin;
            Candidate candidate{std::move(entry), std::move(origin), is_role, {}, {}};
            if (names_one_arn(candidate.entry, options)) {
                candidate.exact_key = ascii::to_lower(arn::canonicalize(candidate.entry.arn)->arn);
                candidate.stripped_key = mapping_key(candidate.entry.arn).value();
            }
            candidates.push_back(std::move(candidate));
        }
    };
    check(config.roles, true);
    check(config.users, false);
    return candidates;
}

// The last candidate written for each key, which wins it.
struct Winners {
    std::unordered_map<std::string, std::size_t> exact, stripped, user_id;
};

Winners winners_of(const std::vector<Candidate>& candidates, bool user_id_strict) {
    Winners winners;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const Candidate& candidate = candidates[i];
        if (user_id_strict) winners.user_id[candidate.entry.user_id] = i;
        if (candidate.exact_key.empty()) continue;
        winners.exact[candidate.exact_key] = i;
        if (candidate.exact_key != candidate.stripped_key) winners.stripped[candidate.stripped_key] = i;
    }
    return winners;
}

// Why an entry can never win.
struct Shadow {
    std::size_t winner;      // index in the candidates
    bool role_without_path;  // the winner names the role without the loser's path
};

// The entry that candidates[index] loses to, or nothing when it is used. As
// in upstream's maps, of entries for the same key the last one wins. A role
// entry written with a path matches role sessions (whose ARN has none) only
// where no entry names the role without it.
std::optional<Shadow> shadowed_by(const std::vector<Candidate>& candidates, std::size_t index, const Winners& winners) {
    const Candidate& candidate = candidates[index];
    if (const std::size_t winner = winners.exact.at(candidate.exact_key); winner != index) return Shadow{winner, false};
    if (candidate.exact_key == candidate.stripped_key) return std::nullopt;
    if (const auto without_path = winners.exact.find(candidate.stripped_key); without_path != winners.exact.end())
        return Shadow{without_path->second, true};
    if (const std::size_t winner = winners.stripped.at(candidate.stripped_key); winner != index)
        return Shadow{winner, false};
    return std::nullopt;
}

std::string shadow_problem(const Candidate& loser, const Candidate& winner, bool role_without_path) {
    return loser.origin + ": " + quote(loser.entry.arn, 256) + " is never used: " + winner.origin +
           (role_without_path ? " names the role without its path, which role sessions match first"
                              : " maps the same role or user later, and the last entry wins (as upstream)") +
           "; entry ignored";
}

}  // namespace

MappingTable MappingTable::build(MappingConfig config, const TableOptions& options,
                                 std::vector<std::string>& problems) {
    MappingTable table;
    table.options_ = options;

    std::vector<Candidate> candidates = checked_candidates(config, options, problems);
    const Winners winners = winners_of(candidates, options.user_id_strict);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        Candidate& candidate = candidates[i];
        MappingEntry& entry = candidate.entry;
        const std::size_t index = table.entries_.size();
        if (options.user_id_strict) {
            if (const std::size_t winner = winners.user_id.at(entry.user_id); winner != i) {
                problems.push_back(entry.origin + ": userid " + quote(entry.user_id) +
                                   " is never used: " + candidates[winner].origin +
                                   " maps it later, and the last entry wins (as upstream); entry ignored");
                continue;
            }
            table.user_ids_.emplace(entry.user_id, index);
        } else if (entry.sso) {
            table.sso_.push_back(index);
        } else if (ArnPattern::is_pattern(entry.arn)) {
            ArnPattern pattern =
                ArnPattern::parse(entry.arn, candidate.is_role ? PatternKind::Role : PatternKind::User).value();
            if (candidate.is_role && role_pattern_needs_path(pattern)) {
                problems.push_back(
                    entry.origin + ": " + quote(entry.arn, 256) +
                    " can never match: role sessions carry no IAM path (write the role name without it)");
            }
            table.patterns_.push_back({std::move(pattern), index});
        } else if (const auto shadow = shadowed_by(candidates, i, winners)) {
            problems.push_back(shadow_problem(candidate, candidates[shadow->winner], shadow->role_without_path));
            continue;
        } else if (candidate.exact_key == candidate.stripped_key) {
            table.exact_.emplace(candidate.exact_key, index);
        } else {
            table.without_path_.emplace(candidate.stripped_key, index);
        }
        (candidate.is_role ? table.role_count_ : table.user_count_) += 1;
        table.entries_.push_back(std::move(entry));
    }
    // Most specific first; the sort is stable, so ties keep the order written.
    std::stable_sort(table.patterns_.begin(), table.patterns_.end(), [](const Pattern& a, const Pattern& b) {
        return a.pattern.literal_prefix_length() > b.pattern.literal_prefix_length();
    });
    table.add_accounts(config.accounts, problems);
    return table;
}

void MappingTable::add_accounts(const std::vector<std::string>& accounts, std::vector<std::string>& problems) {
    for (std::size_t i = 0; i < accounts.size(); ++i) {
        const std::string& account = accounts[i];
        if (account.size() != 12 || !ascii::all_of_digits(account)) {
            problems.push_back("mapAccounts[" + std::to_string(i) + "]: " + quote(account) +
                               " is not a 12-digit account ID; entry ignored");
            continue;
        }
        accounts_.insert(account);
    }
}

std::optional<MappingMatch> MappingTable::match(const identity::Identity& identity) const {
    if (options_.user_id_strict) {
        if (const auto it = user_ids_.find(identity.user_id); it != user_ids_.end()) {
            const MappingEntry& entry = entries_[it->second];
            // The entry's ARN, if given, must name the caller (path aside):
            // upstream's "ARN does not match User ID" check.
            if (entry.arn.empty() ||
                mapping_key(entry.arn).value_or("?") == mapping_key(identity.canonical_arn).value_or("")) {
                return MappingMatch{&entry, MatchKind::UserId};
            }
        }
    } else if (const auto key = mapping_key(identity.canonical_arn)) {
        if (const auto it = exact_.find(ascii::to_lower(identity.canonical_arn)); it != exact_.end())
            return MappingMatch{&entries_[it->second], MatchKind::ExactArn};
        if (const auto it = without_path_.find(*key); it != without_path_.end())
            return MappingMatch{&entries_[it->second], MatchKind::ArnWithoutPath};

        const RoleParts role = role_parts(identity.canonical_arn);
        if (role.is_role) {
            for (std::size_t index : sso_) {
                const SsoMatcher& sso = *entries_[index].sso;
                const std::string& partition = sso.partition.empty() ? options_.partition : sso.partition;
                if (role.account == sso.account_id && role.partition == partition &&
                    is_sso_role_for(role.name, sso.permission_set_name)) {
                    return MappingMatch{&entries_[index], MatchKind::Sso};
                }
            }
        }
        for (const Pattern& pattern : patterns_) {
            if (pattern.pattern.matches(identity.canonical_arn))
                return MappingMatch{&entries_[pattern.entry], MatchKind::Pattern};
        }
    }
    if (accounts_.contains(identity.account_id)) return MappingMatch{nullptr, MatchKind::Account};
    return std::nullopt;
}

namespace {

// How close an entry came to mapping the caller, and why it did not.
struct Miss {
    int score = 0;  // higher is closer: same account and kind of principal first
    std::string reason;
};

Miss user_id_miss(const MappingEntry& entry, const identity::Identity& identity) {
    if (entry.user_id == identity.user_id) return {10, "user ID matches, but the entry's ARN names another principal"};
    return {0, "user ID differs (entry: " + entry.user_id + ")"};
}

Miss sso_miss(const SsoMatcher& sso, const std::string& default_partition, const RoleParts& caller) {
    const std::string& partition = sso.partition.empty() ? default_partition : sso.partition;
    if (!caller.is_role) return {0, "the caller is not a role"};
    if (caller.account != sso.account_id) return {0, "account differs"};
    if (caller.partition != partition) return {0, "partition differs"};
    return {9, "role is not AWSReservedSSO_" + sso.permission_set_name + "_<16 hex digits>"};
}

// An ARN's six sections, lower case: "arn", partition, service, region,
// account, resource.
std::array<std::string, 6> arn_sections(const std::string& arn) {
    std::array<std::string, 6> sections;
    const auto lowered = ascii::to_lower(arn);
    std::size_t start = 0;
    for (std::size_t i = 0; i < 5; ++i) {
        const std::size_t colon = lowered.find(':', start);
        sections[i] = lowered.substr(start, colon - start);
        start = colon == std::string::npos ? lowered.size() : colon + 1;
    }
    sections[5] = lowered.substr(std::min(start, lowered.size()));
    return sections;
}

Miss pattern_miss(const ArnPattern& pattern, const std::string& canonical_arn) {
    static constexpr const char* kSections[] = {"", "partition", "service", "region", "account", "resource"};
    const std::array<std::string, 6> sections = arn_sections(canonical_arn);
    Miss miss;
    for (std::size_t i = 1; i < 6 && miss.reason.empty(); ++i) {
        if (!glob_matches(pattern.section(i), sections[i]))
            miss.reason = std::string("pattern does not match the ") + kSections[i];
        else
            miss.score += 2;  // up to 8 when only the resource differs
    }
    if (role_pattern_needs_path(pattern)) miss.reason += " (and role sessions carry no IAM path)";
    return miss;
}

// Nothing when the entry's ARN does not parse.
std::optional<Miss> exact_arn_miss(const std::string& entry_arn, const identity::Identity& identity,
                                   const RoleParts& caller, const std::string& caller_key) {
    const auto parsed_entry = arn::parse(entry_arn);
    if (!parsed_entry) return std::nullopt;
    const RoleParts written = role_parts(entry_arn);
    if (parsed_entry->partition != caller.partition) return Miss{0, "partition differs"};
    if (parsed_entry->account != identity.account_id) return Miss{0, "account differs"};
    if (written.is_role != caller.is_role)
        return Miss{5, caller.is_role ? "names a user, the caller is a role" : "names a role, the caller is not one"};
    if (mapping_key(entry_arn).value_or("") != caller_key)
        return Miss{10, written.is_role ? "role name differs" : "user name or path differs"};
    return Miss{};
}

}  // namespace

const ArnPattern* MappingTable::pattern_of(std::size_t entry) const {
    const auto found =
        std::find_if(patterns_.begin(), patterns_.end(), [entry](const Pattern& p) { return p.entry == entry; });
    return found == patterns_.end() ? nullptr : &found->pattern;
}

Explanation MappingTable::explain(const identity::Identity& identity) const {
    Explanation explanation;
    explanation.match = match(identity);
    if (explanation.match) return explanation;

    // Score every entry by how close it came; show the closest.
    struct Scored {
        int score;
        NearMiss miss;
    };
    std::vector<Scored> scored;
    const RoleParts caller = role_parts(identity.canonical_arn);
    const std::string caller_key = mapping_key(identity.canonical_arn).value_or("");
    for (std::size_t index = 0; index < entries_.size(); ++index) {
        const MappingEntry& entry = entries_[index];
        std::optional<Miss> miss;
        if (options_.user_id_strict) {
            miss = user_id_miss(entry, identity);
        } else if (entry.sso) {
            miss = sso_miss(*entry.sso, options_.partition, caller);
        } else if (ArnPattern::is_pattern(entry.arn)) {
            if (const ArnPattern* pattern = pattern_of(index)) miss = pattern_miss(*pattern, identity.canonical_arn);
        } else {
            miss = exact_arn_miss(entry.arn, identity, caller, caller_key);
        }
        if (miss) scored.push_back({miss->score, NearMiss{entry.origin, describe(entry), std::move(miss->reason)}});
    }
    std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
    for (std::size_t i = 0; i < scored.size() && i < kMaxNearMisses; ++i)
        explanation.near_misses.push_back(std::move(scored[i].miss));
    if (!accounts_.empty()) {
        explanation.near_misses.push_back({"mapAccounts", "", "account " + identity.account_id + " is not listed"});
    }
    return explanation;
}

}  // namespace aia::mapping
