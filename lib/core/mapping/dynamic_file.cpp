#include "core/mapping/dynamic_file.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <vector>

#include "core/util/ascii.hpp"
#include "core/util/go_fold.hpp"
#include "core/util/json_depth.hpp"
#include "core/util/quote.hpp"

namespace aia::mapping {
namespace {

constexpr int kMaxJsonDepth = 8;

// The fields upstream's structs have, folded (see go_fold.hpp).
bool is_file_field(std::string_view folded) {
    return folded == "maproles" || folded == "mapusers" || folded == "mapaccounts" || folded == "version" ||
           folded == "lastupdateddatetime";
}
bool is_entry_field(std::string_view list, std::string_view folded) {
    const std::string_view arn = list == "maproles" ? "rolearn" : "userarn";
    return folded == arn || folded == "username" || folded == "groups" || folded == "userid";
}

// Where a field is given twice in one object, in any letter case. Go's
// encoding/json would take the last one; a reader in another language, or a
// person, might take the first. Rather than guess, such an entry is refused
// (and such a file, when the duplicate is one of its own fields). Found with
// a SAX pass: the DOM keeps one value per exact key and so hides duplicates.
class DuplicateFields : public nlohmann::json_sax<nlohmann::json> {
public:
    bool file_ambiguous = false;
    std::string file_field;  // the field given twice, as first written
    // (folded list name, index) -> the field given twice, as first written
    std::map<std::pair<std::string, std::size_t>, std::string> entries;

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override {
        frames_.push_back({true});
        return true;
    }
    bool end_object() override { return end(); }
    bool start_array(std::size_t) override {
        frames_.push_back({false});
        return true;
    }
    bool end_array() override { return end(); }
    bool key(string_t& text) override {
        Frame& frame = frames_.back();
        frame.key = go_fold::fold(text);
        const bool twice = !frame.keys.insert(frame.key).second;
        if (twice && frames_.size() == 1 && is_file_field(frame.key)) {
            if (!file_ambiguous) file_field = text;
            file_ambiguous = true;
        } else if (twice && frames_.size() == 3 && !frames_[1].object && is_entry_field(frames_[0].key, frame.key)) {
            entries.emplace(std::pair{frames_[0].key, frames_[1].index}, text);
        }
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    struct Frame {
        bool object;
        std::set<std::string> keys;  // folded
        std::string key;             // the current one, folded
        std::size_t index = 0;       // arrays: the element being read
    };
    // A complete value: the next element of an enclosing array.
    bool value() {
        if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
        return true;
    }
    bool end() {
        frames_.pop_back();
        return value();
    }
    std::vector<Frame> frames_;
};

// Field names match as Go's encoding/json matches them (see go_fold.hpp).
const nlohmann::json* field(const nlohmann::json& object, std::string_view name) {
    const std::string wanted = ascii::to_lower(name);
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (go_fold::names_field(it.key(), wanted)) return &it.value();
    }
    return nullptr;
}

Result<std::string, std::string> string_field(const nlohmann::json& object, std::string_view name,
                                              const std::string& where) {
    const nlohmann::json* value = field(object, name);
    if (value == nullptr || value->is_null()) return std::string{};
    if (!value->is_string()) return fail(where + "." + std::string(name) + " is not a string");
    return value->get<std::string>();
}

Result<std::vector<MappingEntry>, std::string> entries(const nlohmann::json& root, std::string_view list, bool roles,
                                                       bool user_id_strict, const DuplicateFields& duplicates,
                                                       std::vector<std::string>& warnings) {
    std::vector<MappingEntry> out;
    const nlohmann::json* items = field(root, list);
    if (items == nullptr || items->is_null()) return out;
    if (!items->is_array()) return fail(std::string(list) + " is not a list");
    const std::string_view arn_key = roles ? "rolearn" : "userarn";
    for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string where = std::string(list) + "[" + std::to_string(i) + "]";
        const nlohmann::json& item = (*items)[i];
        if (!item.is_object()) return fail(where + " is not an object");
        if (const auto twice = duplicates.entries.find({ascii::to_lower(list), i}); twice != duplicates.entries.end()) {
            warnings.push_back(where + ": field " + quote(twice->second) +
                               " is given twice (in some letter case); which one counts is ambiguous; entry ignored");
            continue;
        }
        MappingEntry entry;
        entry.origin = where;
        for (auto [name, target] : {std::pair{arn_key, &entry.arn},
                                    {std::string_view("username"), &entry.username},
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
            const std::string key = go_fold::fold(it.key());
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
    DuplicateFields duplicates;
    if (!nlohmann::json::sax_parse(json_text.begin(), json_text.end(), &duplicates)) return fail("not valid JSON");
    if (duplicates.file_ambiguous) {
        return fail("field " + quote(duplicates.file_field) +
                    " is given twice (in some letter case); which one counts is ambiguous");
    }

    DynamicFileContent content;
    auto roles = entries(root, "mapRoles", true, user_id_strict, duplicates, content.warnings);
    if (!roles) return fail(std::move(roles).error());
    content.config.roles = std::move(roles).value();
    auto users = entries(root, "mapUsers", false, user_id_strict, duplicates, content.warnings);
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
    if (auto updated = string_field(root, "LastUpdatedDateTime", "file");
        updated && !updated->empty() && ascii::all_of_digits(*updated) && updated->size() <= 12) {
        content.updated_at = std::stoll(*updated);
    }
    return content;
}

}  // namespace aia::mapping
