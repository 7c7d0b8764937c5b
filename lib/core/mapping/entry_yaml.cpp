#include "core/mapping/entry_yaml.hpp"

#include "core/util/ascii.hpp"

namespace aia::mapping {
namespace {

// YAML aliases let a small document stand for a huge one ("- *entry" a
// million times, each with an aliased list of groups). These caps bound what
// one list may expand to, far above any real mapping table.
constexpr std::size_t kMaxEntries = 50'000;
constexpr std::size_t kMaxGroupsPerEntry = 1'000;
constexpr std::size_t kMaxGroupsPerList = 500'000;

Result<SsoMatcher, ShapeError> sso_matcher(const YAML::Node& node, const std::string& where,
                                           std::vector<std::string>& warnings) {
    if (!node.IsMap()) return fail(ShapeError{where, "must be a mapping with permissionSetName, accountID, partition"});
    SsoMatcher sso;
    for (const auto& field : node) {
        const std::string name = ascii::to_lower(field.first.Scalar());
        const std::string field_where = where + "." + field.first.Scalar();
        auto value = read_scalar(field.second, field_where);
        if (!value) return fail(std::move(value).error());
        if (name == "permissionsetname")
            sso.permission_set_name = std::move(value).value();
        else if (name == "accountid")
            sso.account_id = std::move(value).value();
        else if (name == "partition")
            sso.partition = std::move(value).value();
        else
            warnings.push_back(field_where + ": unknown key, ignored");
    }
    return sso;
}

}  // namespace

Result<std::vector<MappingEntry>, ShapeError> parse_entry_list(const YAML::Node& node, const std::string& where,
                                                               EntryKind kind, std::vector<std::string>& warnings) {
    std::vector<MappingEntry> out;
    if (node.IsNull()) return out;
    if (!node.IsSequence()) return fail(ShapeError{where, "must be a list"});
    if (node.size() > kMaxEntries)
        return fail(ShapeError{where, "has more than " + std::to_string(kMaxEntries) + " entries"});
    std::size_t groups_in_list = 0;
    const std::string_view arn_key = kind == EntryKind::Role ? "rolearn" : "userarn";
    for (std::size_t i = 0; i < node.size(); ++i) {
        const std::string entry_where = where + "[" + std::to_string(i) + "]";
        const YAML::Node& item = node[i];
        if (!item.IsMap()) {
            return fail(
                ShapeError{entry_where, "must be a mapping with " + std::string(arn_key) + ", username, groups"});
        }
        MappingEntry entry;
        entry.origin = entry_where;
        for (const auto& field : item) {
            const std::string name = ascii::to_lower(field.first.Scalar());
            const std::string field_where = entry_where + "." + field.first.Scalar();
            if (name == arn_key || name == "username" || name == "userid") {
                auto value = read_scalar(field.second, field_where);
                if (!value) return fail(std::move(value).error());
                (name == arn_key      ? entry.arn
                 : name == "username" ? entry.username
                                      : entry.user_id) = std::move(value).value();
            } else if (name == "groups") {
                if (field.second.IsSequence() && field.second.size() > kMaxGroupsPerEntry) {
                    return fail(
                        ShapeError{field_where, "has more than " + std::to_string(kMaxGroupsPerEntry) + " groups"});
                }
                groups_in_list += field.second.IsSequence() ? field.second.size() : 0;
                if (groups_in_list > kMaxGroupsPerList) {
                    return fail(
                        ShapeError{where, "has more than " + std::to_string(kMaxGroupsPerList) + " groups in all"});
                }
                auto groups = read_scalar_list(field.second, field_where);
                if (!groups) return fail(std::move(groups).error());
                entry.groups = std::move(groups).value();
            } else if (name == "sso" && kind == EntryKind::Role) {
                auto sso = sso_matcher(field.second, field_where, warnings);
                if (!sso) return fail(std::move(sso).error());
                entry.sso = std::move(sso).value();
            } else {
                warnings.push_back(field_where + ": unknown key, ignored");
            }
        }
        out.push_back(std::move(entry));
    }
    return out;
}

Result<std::string, ShapeError> read_scalar(const YAML::Node& node, const std::string& where) {
    if (node.IsNull()) return std::string{};
    if (!node.IsScalar()) return fail(ShapeError{where, "must be a single value"});
    return node.Scalar();
}

Result<std::vector<std::string>, ShapeError> read_scalar_list(const YAML::Node& node, const std::string& where) {
    std::vector<std::string> out;
    if (node.IsNull()) return out;
    if (!node.IsSequence()) return fail(ShapeError{where, "must be a list"});
    for (std::size_t i = 0; i < node.size(); ++i) {
        auto item = read_scalar(node[i], where + "[" + std::to_string(i) + "]");
        if (!item) return fail(std::move(item).error());
        out.push_back(std::move(item).value());
    }
    return out;
}

Result<std::vector<std::string>, ShapeError> parse_account_list(const YAML::Node& node, const std::string& where) {
    return read_scalar_list(node, where);
}

}  // namespace aia::mapping
