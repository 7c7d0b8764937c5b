#include "core/config/value_kinds.hpp"

#include <yaml-cpp/yaml.h>

#include <map>

#include "core/util/ascii.hpp"
#include "core/util/quote.hpp"

namespace aia::config::kinds {
namespace {

using std::chrono::milliseconds;

// The one value a scalar setting was given.
const std::string& single(std::span<const std::string> items) {
    static const std::string kNone;
    return items.empty() ? kNone : items.back();
}

std::string join_list(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

}  // namespace

ValueKind text(std::string ServerConfig::*field, std::string_view placeholder) {
    return {.placeholder = placeholder,
            .read = [field](ServerConfig& config, std::span<const std::string> items,
                            Warnings&) -> Result<bool, std::string> {
                config.*field = single(items);
                return true;
            },
            .show = [field](const ServerConfig& config) { return config.*field; }};
}

ValueKind log_format(std::string ServerConfig::*field) {
    ValueKind kind = text(field, "FORMAT");
    kind.read = [field](ServerConfig& config, std::span<const std::string> items,
                        Warnings& warnings) -> Result<bool, std::string> {
        const std::string& format = single(items);
        if (format == "text" || format == "json") {
            config.*field = format;
        } else {
            // Upstream falls back to text; refusing to start would make a
            // manifest that ran upstream crash-loop here.
            warnings.push_back("log format " + quote(format) + " is not text or json; logging text");
            config.*field = "text";
        }
        return true;
    };
    return kind;
}

ValueKind on_off(bool ServerConfig::*field) {
    return {.is_switch = true,
            .read = [field](ServerConfig& config, std::span<const std::string> items,
                            Warnings&) -> Result<bool, std::string> {
                // YAML 1.1's spellings, as the config file has always taken them.
                bool value = false;
                if (!YAML::convert<bool>::decode(YAML::Node(single(items)), value))
                    return fail(std::string("must be true or false"));
                config.*field = value;
                return true;
            },
            .show = [field](const ServerConfig& config) { return std::string(config.*field ? "true" : "false"); }};
}

ValueKind duration(milliseconds ServerConfig::*field) {
    return {.placeholder = "DURATION",
            .read = [field](ServerConfig& config, std::span<const std::string> items,
                            Warnings&) -> Result<bool, std::string> {
                auto value = parse_duration(single(items));
                if (!value) return fail(std::move(value).error());
                config.*field = *value;
                return true;
            },
            .show = [field](const ServerConfig& config) { return show_duration(config.*field); }};
}

template <class Number>
ValueKind whole_number(Number ServerConfig::*field, unsigned min, unsigned max) {
    return {
        .placeholder = "N",
        .read = [field, min, max](ServerConfig& config, std::span<const std::string> items,
                                  Warnings&) -> Result<bool, std::string> {
            const std::string& digits = single(items);
            if (digits.empty() || digits.size() > 7 || !ascii::all_of_digits(digits) || std::stoul(digits) < min ||
                std::stoul(digits) > max) {
                return fail("must be a whole number from 1 to " + std::to_string(max) + ", not " + quote(digits));
            }
            config.*field = static_cast<Number>(std::stoul(digits));
            return true;
        },
        .show =
            [field](const ServerConfig& config) { return std::to_string(static_cast<unsigned long>(config.*field)); }};
}

template ValueKind whole_number(unsigned ServerConfig::*, unsigned, unsigned);
template ValueKind whole_number(int ServerConfig::*, unsigned, unsigned);
template ValueKind whole_number(double ServerConfig::*, unsigned, unsigned);

ValueKind port(std::uint16_t ServerConfig::*field) {
    return {
        .placeholder = "PORT",
        .read = [field](ServerConfig& config, std::span<const std::string> items,
                        Warnings&) -> Result<bool, std::string> {
            const std::string& digits = single(items);
            if (digits.empty() || digits.size() > 5 || !ascii::all_of_digits(digits) || std::stoul(digits) > 65535) {
                return fail("must be a port number from 0 to 65535, not " + quote(digits));
            }
            config.*field = static_cast<std::uint16_t>(std::stoul(digits));
            return true;
        },
        .show = [field](const ServerConfig& config) { return std::to_string(config.*field); }};
}

ValueKind byte_size(std::size_t ServerConfig::*field, std::string_view placeholder) {
    return {.placeholder = placeholder,
            .read = [field](ServerConfig& config, std::span<const std::string> items,
                            Warnings&) -> Result<bool, std::string> {
                auto size = parse_byte_size(single(items));
                if (!size) return fail(std::move(size).error());
                config.*field = *size;
                return true;
            },
            .show = [field](const ServerConfig& config) { return show_byte_size(config.*field); }};
}

ValueKind text_list(std::vector<std::string> ServerConfig::*field, std::string_view placeholder) {
    return {.placeholder = placeholder,
            .is_list = true,
            .read = [field](ServerConfig& config, std::span<const std::string> items,
                            Warnings&) -> Result<bool, std::string> {
                (config.*field).assign(items.begin(), items.end());
                return true;
            },
            .show = [field](const ServerConfig& config) { return join_list(config.*field); }};
}

std::string show_duration(milliseconds value) {
    const long long ms = value.count();
    if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::string show_byte_size(std::size_t value) {
    for (const auto& [shift, suffix] : {std::pair{30, "Gi"}, std::pair{20, "Mi"}, std::pair{10, "Ki"}}) {
        const std::size_t unit = std::size_t{1} << shift;
        if (value != 0 && value % unit == 0) return std::to_string(value / unit) + suffix;
    }
    return std::to_string(value);
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    std::string item;
    for (char c : text) {
        if (c == ',' || c == ' ' || c == '\t') {
            if (!item.empty()) out.push_back(std::move(item));
            item.clear();
        } else {
            item += c;
        }
    }
    if (!item.empty()) out.push_back(std::move(item));
    return out;
}

}  // namespace aia::config::kinds

namespace aia::config::kinds {

ValueKind mapping_entries(mapping::EntryKind kind) {
    const auto field = [kind](ServerConfig& config) -> std::vector<mapping::MappingEntry>& {
        return kind == mapping::EntryKind::Role ? config.mappings.roles : config.mappings.users;
    };
    return {.placeholder = "LIST",
            .read_node = [kind, field](ServerConfig& config, const YAML::Node& node, const std::string& path,
                                       Warnings& warnings) -> Result<bool, SettingError> {
                auto list = mapping::parse_entry_list(node, path, kind, warnings);
                if (!list) return fail(SettingError{"config key " + list.error().where, list.error().what});
                field(config) = std::move(list).value();
                return true;
            },
            .show = [](const ServerConfig&) { return std::string(); }};
}

ValueKind mapped_accounts() {
    return {
        .placeholder = "LIST",
        .is_list = true,
        .read = [](ServerConfig& config, std::span<const std::string> items, Warnings&) -> Result<bool, std::string> {
            config.mappings.accounts.assign(items.begin(), items.end());
            return true;
        },
        .show = [](const ServerConfig& config) { return join_list(config.mappings.accounts); }};
}

namespace {

// The backend a reservedPrefixConfig item names: one this build runs, or
// one of upstream's that watch the API server (kept for when they run, as
// upstream keeps them); empty when no backend has the name.
std::string reserved_prefix_backend(std::string_view mode) { return std::string(backend_mode_name(mode)); }

// One {backendmode, usernamePrefixReserveList} item of reservedPrefixConfig.
Result<bool, SettingError> read_reserved_prefix(const YAML::Node& item, const std::string& where,
                                                std::map<std::string, std::vector<std::string>>& out,
                                                Warnings& warnings) {
    const auto problem = [](std::string at, std::string what) { return fail(SettingError{"config key " + at, what}); };
    if (!item.IsMap()) return problem(where, "must be a mapping with backendmode and usernamePrefixReserveList");
    std::string mode;
    std::vector<std::string> prefixes;
    for (const auto& field : item) {
        const std::string name = ascii::to_lower(field.first.Scalar());
        if (name == "backendmode") {
            auto value = mapping::read_scalar(field.second, where + ".backendmode");
            if (!value) return problem(value.error().where, value.error().what);
            mode = std::move(value).value();
        } else if (name == "usernameprefixreservelist") {
            auto list = mapping::read_scalar_list(field.second, where + ".usernamePrefixReserveList");
            if (!list) return problem(list.error().where, list.error().what);
            prefixes = std::move(list).value();
        }
    }
    const std::string backend = reserved_prefix_backend(mode);
    if (backend.empty()) {  // upstream accepts any name; it applies to no backend
        warnings.push_back(where + ".backendmode: " + quote(mode) + " is no backend's mode; ignored");
        return true;
    }
    out[backend] = std::move(prefixes);
    return true;
}

}  // namespace

ValueKind reserved_prefixes() {
    return {.placeholder = "LIST",
            .read_node = [](ServerConfig& config, const YAML::Node& node, const std::string& path,
                            Warnings& warnings) -> Result<bool, SettingError> {
                std::map<std::string, std::vector<std::string>> out;
                if (!node.IsNull() && !node.IsSequence()) {
                    return fail(SettingError{"config key " + path,
                                             "must be a list of {backendmode, usernamePrefixReserveList}"});
                }
                for (std::size_t i = 0; !node.IsNull() && i < node.size(); ++i) {
                    auto read = read_reserved_prefix(node[i], path + "[" + std::to_string(i) + "]", out, warnings);
                    if (!read) return fail(std::move(read).error());
                }
                config.reserved_prefixes = std::move(out);
                return true;
            },
            .show = [](const ServerConfig&) { return std::string(); }};
}

ValueKind feature_gates() {
    return {.placeholder = "GATES",
            .read = [](ServerConfig& config, std::span<const std::string> items, Warnings&)
                -> Result<bool, std::string> { return apply_feature_gates(single(items), config); },
            .show =
                [](const ServerConfig& config) {
                    std::string gates = config.sso_role_match ? "SSORoleMatch=true" : "";
                    if (config.configured_init_directories)
                        gates += std::string(gates.empty() ? "" : ",") + "ConfiguredInitDirectories=true";
                    return gates;
                }};
}

}  // namespace aia::config::kinds
