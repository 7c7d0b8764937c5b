#include "core/kube/aws_auth_edit.hpp"

#include <yaml-cpp/yaml.h>

#include <array>

#include "core/kube/aws_auth_object.hpp"
#include "core/mapping/aws_auth.hpp"
#include "core/mapping/mapping_table.hpp"
#include "core/util/ascii.hpp"
#include "core/util/quote.hpp"

namespace aia::kube {
namespace {

using mapping::EntryKind;
using mapping::MappingEntry;
using nlohmann::json;

constexpr std::size_t kQuoteLimit = 256;

bool is_role(const NewMapping& mapping) { return mapping.kind == EntryKind::Role; }

// Go's %s of a []string: "[a b]".
std::string go_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? " " : "") + items[i];
    return out + "]";
}

// Plain scalars YAML 1.1 (upstream's decoder) would read as a number,
// boolean or null; these must be quoted to stay strings.
bool reads_as_non_string(std::string_view value) {
    static constexpr std::array<std::string_view, 13> kWords = {"y",   "yes", "n",    "no",    "true", "false", "on",
                                                                "off", "null", "~",   ".inf", ".nan", "-.inf"};
    const std::string lower = ascii::to_lower(value);
    for (std::string_view word : kWords)
        if (lower == word) return true;
    if (value.empty()) return true;
    const char first = value.front();
    return ascii::is_digit(first) || first == '+' || first == '-' || first == '.';
}

bool needs_quotes(std::string_view value) {
    if (reads_as_non_string(value)) return true;
    for (char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) return true;
    }
    return false;
}

// One value on one line: plain when that reads back as the same string.
std::string scalar_yaml(std::string_view value, bool force_quotes = false) {
    YAML::Emitter out;
    if (force_quotes || needs_quotes(value)) out << YAML::DoubleQuoted;
    out << std::string(value);
    return out.c_str();
}

bool same_sso(const mapping::SsoMatcher& a, const mapping::SsoMatcher& b) {
    const auto partition = [](const std::string& p) { return p.empty() ? std::string("aws") : ascii::to_lower(p); };
    return ascii::iequals(a.permission_set_name, b.permission_set_name) && a.account_id == b.account_id &&
           partition(a.partition) == partition(b.partition);
}

// The roles an SSO entry stands for, as an ARN pattern (what upstream keys it by).
std::string sso_arn_like(const mapping::SsoMatcher& sso) {
    return "arn:" + (sso.partition.empty() ? std::string("aws") : sso.partition) + ":iam::" + sso.account_id +
           ":role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_" + sso.permission_set_name + "_*";
}

std::optional<std::string> duplicate_of(const std::vector<MappingEntry>& existing, const NewMapping& mapping) {
    const MappingEntry& added = mapping.entry;
    for (const MappingEntry& entry : existing) {
        if (!is_role(mapping)) {
            if (!added.arn.empty() && entry.arn == added.arn)
                return "cannot add duplicate user ARN " + quote(added.arn, kQuoteLimit);
        } else if (added.sso) {
            if (entry.sso && same_sso(*entry.sso, *added.sso))
                return "cannot add duplicate role ARN " + quote(sso_arn_like(*added.sso), kQuoteLimit);
        } else if (!entry.arn.empty() && ascii::iequals(entry.arn, added.arn)) {
            return "cannot add duplicate role ARN " + quote(added.arn, kQuoteLimit);
        }
    }
    return std::nullopt;
}

bool same_entry(const MappingEntry& a, const MappingEntry& b) {
    if (a.arn != b.arn || a.username != b.username || a.groups != b.groups) return false;
    if (a.sso.has_value() != b.sso.has_value()) return false;
    return !a.sso || (a.sso->permission_set_name == b.sso->permission_set_name &&
                      a.sso->account_id == b.sso->account_id && a.sso->partition == b.sso->partition);
}

bool is_blank_or_comment(std::string_view line) {
    const std::size_t first = line.find_first_not_of(" \t\r");
    return first == std::string_view::npos || line[first] == '#';
}

// A value the aws-auth parser skips as a whole ("", '', ``): replaced, not appended to.
bool is_empty_marker(std::string_view value) {
    const std::size_t first = value.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return true;
    const std::size_t last = value.find_last_not_of(" \t\r\n");
    const std::string_view trimmed = value.substr(first, last - first + 1);
    return trimmed == "\"\"" || trimmed == "''" || trimmed == "``";
}

void emit_json(YAML::Emitter& out, const json& value, bool in_metadata) {
    if (value.is_object()) {
        out << YAML::BeginMap;
        for (const auto& [key, item] : value.items()) {  // nlohmann orders object keys
            if (in_metadata && key == "managedFields") continue;
            out << YAML::Key << key << YAML::Value;
            emit_json(out, item, key == "metadata");
        }
        out << YAML::EndMap;
    } else if (value.is_array()) {
        out << YAML::BeginSeq;
        for (const json& item : value) emit_json(out, item, false);
        out << YAML::EndSeq;
    } else if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        // A literal block reads back exactly only for text ending in one
        // newline, without leading spaces or tabs and carriage returns.
        const bool literal = text.size() > 1 && text.back() == '\n' && text[text.size() - 2] != '\n' &&
                             text.front() != ' ' && text.find_first_of("\t\r") == std::string::npos &&
                             text.find(" \n") == std::string::npos;
        if (literal) {
            // Without its final newline: the block's clip chomping gives it back.
            out << YAML::Literal << text.substr(0, text.size() - 1);
        } else {
            if (needs_quotes(text)) out << YAML::DoubleQuoted;
            out << text;
        }
    } else if (value.is_boolean()) {
        out << value.get<bool>();
    } else if (value.is_number_integer() || value.is_number_unsigned()) {
        out << value.dump();
    } else if (value.is_number()) {
        out << value.dump();
    } else {
        out << YAML::Null;
    }
}

}  // namespace

std::optional<std::string> mapping_problem(const NewMapping& mapping) {
    return mapping::entry_problem(mapping.entry, is_role(mapping), {.sso_enabled = true});
}

std::string describe_addition(const NewMapping& mapping) {
    const MappingEntry& entry = mapping.entry;
    std::string what;
    if (!is_role(mapping)) {
        what = "userarn " + entry.arn;
    } else if (entry.sso) {
        what = "sso permissionSetName=" + entry.sso->permission_set_name + ",accountID=" + entry.sso->account_id;
        if (!entry.sso->partition.empty()) what += ",partition=" + entry.sso->partition;
    } else {
        what = "rolearn " + entry.arn;
    }
    return "add " + what + ", username " + entry.username + ", groups " + go_list(entry.groups);
}

std::string entry_yaml(const NewMapping& mapping) {
    const MappingEntry& entry = mapping.entry;
    std::string out;
    if (is_role(mapping) && entry.sso) {
        out += "- sso:\n";
        out += "    permissionSetName: " + scalar_yaml(entry.sso->permission_set_name) + "\n";
        out += "    accountID: " + scalar_yaml(entry.sso->account_id, true) + "\n";
        if (!entry.sso->partition.empty()) out += "    partition: " + scalar_yaml(entry.sso->partition) + "\n";
    } else {
        out += std::string("- ") + (is_role(mapping) ? "rolearn" : "userarn") + ": " + scalar_yaml(entry.arn) + "\n";
    }
    out += "  username: " + scalar_yaml(entry.username) + "\n";
    out += "  groups:\n";
    for (const std::string& group : entry.groups) out += "  - " + scalar_yaml(group) + "\n";
    return out;
}

Result<std::string, std::string> append_entry_text(std::string_view existing, std::string_view entry) {
    if (is_empty_marker(existing)) return std::string(entry);
    // The indentation of the first item; comments and blank lines say nothing.
    std::optional<std::size_t> indent;
    for (std::size_t at = 0; at < existing.size() && !indent;) {
        std::size_t end = existing.find('\n', at);
        if (end == std::string_view::npos) end = existing.size();
        const std::string_view line = existing.substr(at, end - at);
        at = end + 1;
        if (is_blank_or_comment(line)) continue;
        const std::size_t first = line.find_first_not_of(' ');
        const std::string_view rest = line.substr(first);
        if (rest != "-" && !rest.starts_with("- ") && !rest.starts_with("-\r"))
            return fail(std::string("it is not a YAML block list (\"- ...\" items)"));
        indent = first;
    }
    std::string out(existing);
    if (!out.empty() && out.back() != '\n') out += '\n';
    const std::string pad(indent.value_or(0), ' ');
    for (std::size_t at = 0; at < entry.size();) {
        std::size_t end = entry.find('\n', at);
        if (end == std::string_view::npos) end = entry.size() - 1;
        out += pad;
        out += entry.substr(at, end - at + 1);
        at = end + 1;
    }
    return out;
}

Result<DataEdit, std::string> add_to_data(const std::map<std::string, std::string>& data, const NewMapping& mapping) {
    auto parsed = mapping::parse_aws_auth_data(data);
    if (!parsed) return fail("failed to parse configmap " + parsed.error().where + ": " + parsed.error().what);
    if (auto problem = mapping_problem(mapping))
        return fail(std::string(is_role(mapping) ? "role" : "user") + " is invalid: " + *problem);
    const std::vector<MappingEntry>& before = is_role(mapping) ? parsed->config.roles : parsed->config.users;
    if (auto duplicate = duplicate_of(before, mapping)) return fail(std::move(*duplicate));

    DataEdit edit{is_role(mapping) ? "mapRoles" : "mapUsers", {}};
    const auto found = data.find(edit.key);
    auto appended = append_entry_text(found == data.end() ? std::string_view{} : found->second, entry_yaml(mapping));
    if (!appended) return fail("cannot append to data." + edit.key + ": " + appended.error());
    edit.value = std::move(appended).value();

    // The text edit must read as the old entries plus the new one, nothing else.
    std::map<std::string, std::string> changed = data;
    changed[edit.key] = edit.value;
    auto reparsed = mapping::parse_aws_auth_data(changed);
    if (!reparsed) return fail("cannot append to data." + edit.key + ": " + reparsed.error().what);
    const std::vector<MappingEntry>& after = is_role(mapping) ? reparsed->config.roles : reparsed->config.users;
    bool same = after.size() == before.size() + 1 && same_entry(after.back(), mapping.entry);
    for (std::size_t i = 0; same && i < before.size(); ++i) same = same_entry(before[i], after[i]);
    if (!same) return fail("cannot append to data." + edit.key + ": the result would change its other entries");
    return edit;
}

Result<json, std::string> add_to_object(const json& object, const NewMapping& mapping) {
    auto data = config_map_data(object);
    if (!data) return fail("failed to parse configmap " + data.error().where + ": " + data.error().what);
    auto edit = add_to_data(*data, mapping);
    if (!edit) return fail(edit.error());
    json updated = object;
    if (!updated.contains("data") || updated["data"].is_null()) updated["data"] = json::object();
    updated["data"][edit->key] = edit->value;
    return updated;
}

std::string object_yaml(const json& object) {
    YAML::Emitter out;
    out.SetIndent(2);
    out.SetSeqFormat(YAML::Block);
    emit_json(out, object, false);
    return std::string(out.c_str()) + "\n";
}

}  // namespace aia::kube
