#include "core/mapping/static_mapper.hpp"

#include "core/arn/arn.hpp"
#include "core/util/ascii.hpp"
#include "core/util/quote.hpp"

namespace aia::mapping {

Result<std::string, std::string> mapping_key(std::string_view arn) {
    auto canonical = arn::canonicalize(arn);
    if (!canonical) return fail(std::move(canonical).error());
    std::string key = std::move(canonical->arn);
    if (canonical->type == arn::PrincipalType::Role || canonical->type == arn::PrincipalType::AssumedRole) {
        auto stripped = arn::strip_role_path(key);
        if (!stripped) return fail(std::move(stripped).error());
        key = std::move(stripped).value();
    }
    return ascii::to_lower(key);
}

Result<StaticMapper, std::string> StaticMapper::build(MappingConfig config, std::vector<std::string>& warnings) {
    StaticMapper mapper;
    const auto add = [&](std::vector<MappingEntry>& entries, std::unordered_map<std::string, std::size_t>& table,
                         const char* list, const char* arn_field) -> std::optional<std::string> {
        for (std::size_t i = 0; i < entries.size(); ++i) {
            MappingEntry& entry = entries[i];
            const std::string where = std::string(list) + "[" + std::to_string(i) + "]";
            if (entry.arn.empty()) return where + ": " + arn_field + " is required";
            auto key = mapping_key(entry.arn);
            if (!key) return where + ": " + key.error();
            if (entry.username.empty()) return where + ": username is required";
            const auto [it, inserted] = table.emplace(key.value(), mapper.entries_.size());
            if (!inserted) {
                warnings.push_back(where + ": " + quote(entry.arn, 256) + " is mapped again; this later entry wins");
                it->second = mapper.entries_.size();
            }
            mapper.entries_.push_back(std::move(entry));
        }
        return std::nullopt;
    };
    if (auto problem = add(config.roles, mapper.roles_, "mapRoles", "rolearn")) return fail(std::move(*problem));
    if (auto problem = add(config.users, mapper.users_, "mapUsers", "userarn")) return fail(std::move(*problem));

    for (std::size_t i = 0; i < config.accounts.size(); ++i) {
        const std::string& account = config.accounts[i];
        if (account.size() != 12 || !ascii::all_of_digits(account)) {
            return fail("mapAccounts[" + std::to_string(i) + "]: " + quote(account) + " is not a 12-digit account ID");
        }
        mapper.accounts_.insert(account);
    }
    return mapper;
}

std::optional<MappingMatch> StaticMapper::match(const identity::Identity& identity) const {
    const auto key = mapping_key(identity.canonical_arn);
    if (key) {
        if (const auto it = roles_.find(*key); it != roles_.end()) return MappingMatch{&entries_[it->second], false};
        if (const auto it = users_.find(*key); it != users_.end()) return MappingMatch{&entries_[it->second], false};
    }
    if (accounts_.contains(identity.account_id)) return MappingMatch{nullptr, true};
    return std::nullopt;
}

}  // namespace aia::mapping
