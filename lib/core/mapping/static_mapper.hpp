#pragma once
// An immutable mapping table: canonical ARN -> username and groups.
//
// Matching follows upstream's MountedFile mapper: roles first, then users,
// compared without regard to letter case; then mapAccounts, which maps any
// principal of a listed account to its canonical ARN with no groups.
// One fix: a role ARN written with an IAM path (role/team/Admin) matches the
// role's sessions, whose ARNs never carry the path (upstream issue #268).

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/identity/identity.hpp"
#include "core/mapping/mapping_config.hpp"
#include "core/util/result.hpp"

namespace aia::mapping {

// Valid as long as the StaticMapper it came from.
struct MappingMatch {
    const MappingEntry* entry = nullptr;  // the matching entry, or nullptr for an account match
    bool by_account = false;              // matched through mapAccounts
};

class StaticMapper {
public:
    // Validates every entry (a parsable identity ARN, a non-empty username,
    // 12-digit accounts); the error names the entry. Entries that repeat an
    // ARN replace the earlier one, as upstream; each is reported in
    // `warnings` so the operator can see it.
    static Result<StaticMapper, std::string> build(MappingConfig config, std::vector<std::string>& warnings);

    // nullopt when the identity is not mapped.
    std::optional<MappingMatch> match(const identity::Identity& identity) const;

    std::size_t role_count() const noexcept { return roles_.size(); }
    std::size_t user_count() const noexcept { return users_.size(); }
    std::size_t account_count() const noexcept { return accounts_.size(); }

private:
    StaticMapper() = default;

    std::vector<MappingEntry> entries_;
    std::unordered_map<std::string, std::size_t> roles_;  // lower-case canonical role ARN without path -> entry
    std::unordered_map<std::string, std::size_t> users_;  // lower-case canonical ARN -> entry
    std::unordered_set<std::string> accounts_;
};

// The lookup key of a configured or reported ARN: canonical, role path
// dropped, lower case.
Result<std::string, std::string> mapping_key(std::string_view arn);

}  // namespace aia::mapping
