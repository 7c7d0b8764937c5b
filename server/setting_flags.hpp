#pragma once
// Flags registered from the settings table (core/config/settings.hpp): a
// command names which settings it takes, and gets them back applied to a
// configuration with errors naming the flag.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/config/settings.hpp"
#include "core/util/result.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace aia::cli {

// What the command line said, setting by setting.
class SettingFlags {
public:
    // Registers a flag on `command` for each setting `wanted` accepts.
    void add(CLI::App& command, const std::function<bool(const config::Setting&)>& wanted);

    // The given flags on top of `config`, in the table's order.
    Result<bool, std::string> apply(config::ServerConfig& config, config::Warnings& warnings) const;

    // The flag's text when it was given ("" otherwise).
    std::string given(std::string_view flag) const;

private:
    struct Value {
        std::string text;
        std::vector<std::string> list;
        bool on = false;
        CLI::Option* option = nullptr;
    };
    std::map<const config::Setting*, Value> values_;  // nodes stay put: CLI11 writes into them
};

// The settings a scope's commands take as flags.
std::function<bool(const config::Setting&)> flags_of(config::FlagScope scope);

}  // namespace aia::cli
