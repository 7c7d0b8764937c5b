#include "core/mapping/dynamic_file.hpp"

#include <nlohmann/json.hpp>

#include "core/util/ascii.hpp"
#include "core/util/json_depth.hpp"
#include "core/util/quote.hpp"

namespace aia::mapping {
namespace {

constexpr int kMaxJsonDepth = 8;

// Field names match without regard to case, as Go's encoding/json does.
const nlohmann::json* field(const nlohmann::json& object, std::string_view name) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (ascii::iequals(it.key(), name)) return &it.value();
    }
    return nullptr;
}

Result<std::string, std::string> string_field(const nlohmann::json& object, std::string_view name, const std::string& where) {
    const nlohmann::json* value = field(object, name);
    if (value == nullptr || value->is_null()) return std::string{};
    if (!value->is_string()) return fail(where + "." + std::string(name) + " is not a string");
    return value->get<std::string>();
}

Result<std::vector<MappingEntry>, std::string> entries(const nlohmann::json& root, std::string_view list, bool roles,
                                                       bool user_id_strict, std::vector<std::string>& warnings) {
    std::vector<MappingEntry> out;
    const nlohmann::json* items = field(root, list);
    if (items == nullptr || items->is_null()) return out;
    if (!items->is_array()) return fail(std::string(list) + " is not a list");
    const std::string_view arn_key = roles ? "rolearn" : "userarn";
    for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string where = std::string(list) + "[" + std::to_string(i) + "]";
        const nlohmann::json& item = (*items)[i];
        if (!item.is_object()) return fail(where + " is not an object");
        MappingEntry entry;
        entry.origin = where;
        for (auto [name, target] : {std::pair{arn_key, &entry.arn}, {std::string_view("username"), &entry.username},
                                    {std::string_view("userid"), &entry.user_id}}) {
            auto value = string_field(item, name, where);
            if (!value) return fail(std::move(value).error());
            *target = std::move(value).value();
        }
        if (const nlohmann::json* groups = field(item, "groups"); groups != nullptr && !groups->is_null()) {
            if (!groups->is_array()) return fail(where + ".groups is not a list");
            for (const auto& group : *groups) {
                if (!group.is_string()) return fail(where + ".groups holds a value that is not a string");
                entry.groups.push_back(group.get<std::string>());
            }
        }
        for (auto it = item.begin(); it != item.end(); ++it) {
            const std::string key = ascii::to_lower(it.key());
            if (key != arn_key && key != "username" && key != "userid" && key != "groups") {
                warnings.push_back(where + "." + it.key() + ": unknown key, ignored");
            }
        }
        // Upstream refuses the whole file when an entry lacks its key.
        const std::string& key = user_id_strict ? entry.user_id : entry.arn;
        if (key.empty()) {
            return fail(where + ": value for " + std::string(user_id_strict ? "userid" : arn_key) +
                        " must be supplied" + (user_id_strict ? " (dynamicfileUserIDStrict is on)" : ""));
        }
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace

Result<DynamicFileContent, std::string> parse_dynamic_file(std::string_view json_text, bool user_id_strict) {
    if (!json_depth::within(json_text, kMaxJsonDepth)) return fail("nested too deeply");
    const auto root = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) return fail("not valid JSON");
    if (!root.is_object()) return fail("not a JSON object");

    DynamicFileContent content;
    auto roles = entries(root, "mapRoles", true, user_id_strict, content.warnings);
    if (!roles) return fail(std::move(roles).error());
    content.config.roles = std::move(roles).value();
    auto users = entries(root, "mapUsers", false, user_id_strict, content.warnings);
    if (!users) return fail(std::move(users).error());
    content.config.users = std::move(users).value();

    if (const nlohmann::json* accounts = field(root, "mapAccounts"); accounts != nullptr && !accounts->is_null()) {
        if (!accounts->is_array()) return fail("mapAccounts is not a list");
        for (const auto& account : *accounts) {
            if (!account.is_string()) return fail("mapAccounts holds a value that is not a string");
            content.config.accounts.push_back(account.get<std::string>());
        }
    }
    auto version = string_field(root, "Version", "file");
    if (version) content.version = std::move(version).value();
    if (auto updated = string_field(root, "LastUpdatedDateTime", "file"); updated && !updated->empty() &&
                                                                          ascii::all_of_digits(*updated) &&
                                                                          updated->size() <= 12) {
        content.updated_at = std::stoll(*updated);
    }
    return content;
}

}  // namespace aia::mapping
