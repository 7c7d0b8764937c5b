#include "core/mapping/aws_auth.hpp"

#include <yaml-cpp/yaml.h>

#include <array>

#include "core/mapping/entry_yaml.hpp"
#include "core/util/ascii.hpp"

namespace aia::mapping {
namespace {

constexpr std::array<std::string_view, 3> kDataKeys = {"mapRoles", "mapUsers", "mapAccounts"};

bool is_skippable(std::string_view value) {
    const std::size_t first = value.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return true;
    const std::size_t last = value.find_last_not_of(" \t\r\n");
    const std::string_view trimmed = value.substr(first, last - first + 1);
    return trimmed == "\"\"" || trimmed == "''" || trimmed == "``";
}

std::string yaml_problem(const YAML::Exception& e) {
    return "not valid YAML: line " + std::to_string(e.mark.line + 1) + ", column " + std::to_string(e.mark.column + 1) +
           ": " + e.msg;
}

}  // namespace

Result<std::map<std::string, std::string>, AwsAuthError> parse_config_map_manifest(std::string_view text) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        return fail(AwsAuthError{"manifest", yaml_problem(e)});
    }
    if (!root.IsMap()) return fail(AwsAuthError{"manifest", "is not a ConfigMap (not a YAML mapping)"});
    if (const YAML::Node kind = root["kind"]; kind && (!kind.IsScalar() || kind.Scalar() != "ConfigMap")) {
        return fail(AwsAuthError{"manifest", "kind is not ConfigMap"});
    }
    std::map<std::string, std::string> data;
    const YAML::Node node = root["data"];
    if (!node || node.IsNull()) return data;
    if (!node.IsMap()) return fail(AwsAuthError{"data", "is not a mapping"});
    for (const auto& item : node) {
        const std::string key = item.first.Scalar();
        // ConfigMap values are strings; a missing "|" makes a list here.
        if (!item.second.IsScalar() && !item.second.IsNull()) {
            return fail(AwsAuthError{"data." + key, "is not a string (a missing \"|\" after \"" + key + ":\"?)"});
        }
        data[key] = item.second.IsNull() ? std::string{} : item.second.Scalar();
    }
    return data;
}

Result<AwsAuthContent, AwsAuthError> parse_aws_auth_data(const std::map<std::string, std::string>& data) {
    AwsAuthContent content;
    for (const auto& [key, value] : data) {
        const bool known = std::find(kDataKeys.begin(), kDataKeys.end(), key) != kDataKeys.end();
        if (!known) {
            const std::string_view name = key;  // (clang 14 cannot capture a structured binding)
            const bool miscased = std::any_of(kDataKeys.begin(), kDataKeys.end(),
                                              [name](std::string_view k) { return ascii::iequals(k, name); });
            content.warnings.push_back(
                "data." + key + (miscased ? ": data keys are case-sensitive; ignored" : ": unknown key, ignored"));
            continue;
        }
        if (is_skippable(value)) continue;
        YAML::Node node;
        try {
            node = YAML::Load(value);
        } catch (const YAML::Exception& e) {
            return fail(AwsAuthError{"data." + key, yaml_problem(e)});
        }
        if (node.IsNull() || (node.IsScalar() && node.Scalar().empty())) continue;  // e.g. "|" with nothing after it
        try {
            if (key == "mapAccounts") {
                auto accounts = parse_account_list(node, key);
                if (!accounts) return fail(AwsAuthError{accounts.error().where, accounts.error().what});
                content.config.accounts = std::move(accounts).value();
                continue;
            }
            const EntryKind kind = key == "mapRoles" ? EntryKind::Role : EntryKind::User;
            auto entries = parse_entry_list(node, key, kind, content.warnings);
            if (!entries) return fail(AwsAuthError{entries.error().where, entries.error().what});
            (kind == EntryKind::Role ? content.config.roles : content.config.users) = std::move(entries).value();
        } catch (const YAML::Exception& e) {
            return fail(AwsAuthError{"data." + key, yaml_problem(e)});
        }
    }
    return content;
}

}  // namespace aia::mapping
