#pragma once
// Every server setting, described once: its config file key, flag,
// environment variable, default, how its value is read and bounded, and one
// line of documentation. The config file reader, the flag registration, the
// merge (defaults < file < environment < flags), validation and the
// reference in docs/configuration.md are all driven by this table, so a
// setting cannot be spelled differently in two of them.

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/server_config.hpp"
#include "core/util/result.hpp"

namespace YAML {
class Node;
}

namespace aia::config {

using Warnings = std::vector<std::string>;

// Where a problem was found ("config key server.port", "flag --port"), and
// what it is ("must be a port number from 0 to 65535, not \"70000\"").
struct SettingError {
    std::string where;
    std::string what;
    std::string message() const { return where + ": " + what; }
};

// How one kind of value (a duration, a port, a list...) is read and shown.
struct ValueKind {
    // Reads the value from text: a flag's argument, an environment variable
    // or a YAML scalar; a list setting gets its items. The error says what is
    // wrong, without naming the setting.
    using Read = std::function<Result<bool, std::string>(ServerConfig&, std::span<const std::string> items, Warnings&)>;
    // Structured YAML values (mapRoles) read the node itself; the error names
    // the path within it ("server.mapRoles[0].groups").
    using ReadNode =
        std::function<Result<bool, SettingError>(ServerConfig&, const YAML::Node&, const std::string& path, Warnings&)>;
    // A problem with the merged configuration, or empty.
    using Check = std::function<std::string(const ServerConfig&)>;

    std::string_view placeholder;  // "DURATION", in help and docs; empty for on/off switches
    bool is_list = false;          // several values: a YAML list, or one string separated by commas
    bool is_switch = false;        // a flag without an argument (--kubeconfig-pregenerated[=false])
    Read read;
    ReadNode read_node;  // only for values a flag cannot carry
    std::function<std::string(const ServerConfig&)> show;
};

enum class Origin {
    Upstream,  // upstream's name and meaning
    Ours,      // only this implementation has it
};

// Which commands take the flag.
enum class FlagScope {
    Global,  // every command (upstream's persistent flags)
    Server,  // server and init
    Init,    // init only
};

struct Setting {
    std::string_view group;  // the reference's heading ("Listening", "STS")
    std::string_view key;    // config file key as documented ("server.stsTimeout"); empty: a flag only
    std::string_view flag;   // long flag without dashes ("sts-timeout"); empty: the config file only
    char short_flag = 0;     // 'i' for -i
    std::string_view env;    // environment variable, applied between the file and the flags
    FlagScope scope = FlagScope::Server;
    Origin origin = Origin::Upstream;
    std::string_view doc;           // one line, for --help and the reference
    std::string_view default_note;  // words for a default its value does not tell ("required")
    ValueKind value;
    // The bound on the merged configuration, which may involve other settings.
    ValueKind::Check check;
};

// In the order the reference lists them and validation checks them.
std::span<const Setting> settings();

// The setting with this config file key ("server.port"), matched without
// regard to letter case as upstream's keys are; nullptr when there is none.
const Setting* find_setting_by_key(std::string_view key);
const Setting* find_setting_by_flag(std::string_view flag);

// "config key server.port", "flag --port", "environment variable X".
std::string describe_key(const Setting& setting);
std::string describe_flag(const Setting& setting);

// Applies text from a flag or the environment (lists are split on commas and
// spaces). `where` names the source in the error.
Result<bool, SettingError> apply_text(const Setting& setting, ServerConfig& config, std::span<const std::string> values,
                                      const std::string& where, Warnings& warnings);

// Applies a YAML value found under `path` (the key as written).
Result<bool, SettingError> apply_node(const Setting& setting, ServerConfig& config, const YAML::Node& node,
                                      const std::string& path, Warnings& warnings);

// The environment's values on top of `config`; `variable` looks one up
// (the process environment in the server, a fake in tests).
Result<bool, SettingError> apply_environment(ServerConfig& config,
                                             const std::function<const char*(const char*)>& variable,
                                             Warnings& warnings);

// The setting's value in `config`, as the reference shows a default.
std::string show_value(const Setting& setting, const ServerConfig& config);

// The reference table in docs/configuration.md, generated from settings().
std::string settings_reference_markdown();

}  // namespace aia::config
