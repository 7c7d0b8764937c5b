#pragma once
// An immutable mapping table: identity -> the entry that maps it.
//
// Built once per (re)load, then only read, so requests on any thread can
// share it through a shared_ptr<const MappingTable>. Matching is
// deterministic, in this order:
//   1. userIDStrict tables (DynamicFile): the entry for the STS user ID,
//      whose ARN, if given, must name the same principal;
//   2. an entry whose ARN is the caller's canonical ARN, without regard to
//      letter case;
//   3. a role entry written with an IAM path whose role matches once the
//      path is stripped (role sessions' ARNs carry none, so upstream never
//      matches these);
//   4. an IAM Identity Center (sso) entry;
//   5. ArnLike patterns, the longest literal prefix first, then the order
//      written;
//   6. mapAccounts: any principal of the account, as its canonical ARN.
// Of entries for the same ARN (or user ID) the last one wins, as in
// upstream's maps. Bad entries, and entries that can never win, are left
// out one by one at build time and reported; the rest of the table loads.

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/identity/identity.hpp"
#include "core/mapping/arn_pattern.hpp"
#include "core/mapping/mapping_config.hpp"

namespace aia::mapping {

struct TableOptions {
    std::string partition = "aws";  // for sso entries that name none
    bool user_id_strict = false;    // DynamicFile's dynamicfileUserIDStrict
    // sso entries match only with --feature-gates=SSORoleMatch=true, as
    // upstream; otherwise they are refused (and reported).
    bool sso_enabled = false;
};

// What an entry would be refused for at build time, or nothing (is_role:
// a mapRoles entry). Also checks a new entry before it is written.
std::optional<std::string> entry_problem(const MappingEntry& entry, bool is_role, const TableOptions& options);

enum class MatchKind { UserId, ExactArn, ArnWithoutPath, Sso, Pattern, Account };
std::string_view to_string(MatchKind kind) noexcept;

// Valid as long as the table it came from.
struct MappingMatch {
    const MappingEntry* entry = nullptr;  // nullptr for an account match
    MatchKind kind = MatchKind::ExactArn;
};

// An entry that did not match, and why: what `explain` shows.
struct NearMiss {
    std::string origin;
    std::string written;  // the entry's ARN, pattern or sso description
    std::string reason;   // e.g. "account differs", "role name differs"
};

struct Explanation {
    std::optional<MappingMatch> match;
    std::vector<NearMiss> near_misses;  // the closest entries first, at most five
};

class MappingTable {
public:
    // Never fails: `problems` receives one line per refused entry (naming
    // it) and per warning (an entry that can never match).
    static MappingTable build(MappingConfig config, const TableOptions& options, std::vector<std::string>& problems);

    std::optional<MappingMatch> match(const identity::Identity& identity) const;
    Explanation explain(const identity::Identity& identity) const;

    std::size_t role_count() const noexcept { return role_count_; }
    std::size_t user_count() const noexcept { return user_count_; }
    std::size_t account_count() const noexcept { return accounts_.size(); }

private:
    struct Pattern {
        ArnPattern pattern;
        std::size_t entry;
    };
    // The parsed pattern of entry `entry` (a pattern entry that was kept), or nullptr.
    const ArnPattern* pattern_of(std::size_t entry) const;
    void add_accounts(const std::vector<std::string>& accounts, std::vector<std::string>& problems);

    TableOptions options_;
    std::vector<MappingEntry> entries_;
    std::unordered_map<std::string, std::size_t> exact_;         // canonical ARN, lower case -> entry
    std::unordered_map<std::string, std::size_t> without_path_;  // mapping key of a role written with a path -> entry
    std::unordered_map<std::string, std::size_t> user_ids_;      // STS user ID -> entry (userIDStrict)
    std::vector<std::size_t> sso_;                               // sso entries, in order written
    std::vector<Pattern> patterns_;                              // most specific first
    std::unordered_set<std::string> accounts_;
    std::size_t role_count_ = 0, user_count_ = 0;
};

// The lookup key of an exact ARN: canonical, role path dropped, lower case.
Result<std::string, std::string> mapping_key(std::string_view arn);

}  // namespace aia::mapping
