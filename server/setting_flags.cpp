#include "setting_flags.hpp"

#include <CLI/CLI.hpp>

namespace aia::cli {
namespace {

// "--port", or "-i,--cluster-id", as CLI11 names an option.
std::string option_name(const config::Setting& setting) {
    std::string name = "--" + std::string(setting.flag);
    if (setting.short_flag) name = std::string("-") + setting.short_flag + "," + name;
    return name;
}

// The line --help shows: the setting's documentation and its default.
std::string help_text(const config::Setting& setting) {
    std::string help(setting.doc);
    const std::string shown = config::show_value(setting, config::ServerConfig{});
    if (!setting.default_note.empty()) {
        help += " (default: " + std::string(setting.default_note) + ")";
    } else if (!shown.empty() && !setting.value.is_switch) {
        help += " (default " + shown + ")";
    }
    if (!setting.env.empty()) help += " (env " + std::string(setting.env) + ")";
    return help;
}

}  // namespace

void SettingFlags::add(CLI::App& command, const std::function<bool(const config::Setting&)>& wanted) {
    for (const config::Setting& setting : config::settings()) {
        if (setting.flag.empty() || !wanted(setting)) continue;
        Value& value = values_[&setting];
        const std::string name = option_name(setting);
        if (setting.value.is_switch) {
            // Go-style: --kubeconfig-pregenerated or --kubeconfig-pregenerated=false.
            value.option = command.add_flag(name, value.on, help_text(setting));
        } else if (setting.value.is_list) {
            value.option = command.add_option(name, value.list, help_text(setting))->delimiter(',');
        } else {
            value.option = command.add_option(name, value.text, help_text(setting));
        }
        if (!setting.value.placeholder.empty()) value.option->type_name(std::string(setting.value.placeholder));
    }
}

Result<bool, std::string> SettingFlags::apply(config::ServerConfig& config, config::Warnings& warnings) const {
    for (const auto& [setting, value] : values_) {
        if (value.option->count() == 0) continue;
        const std::vector<std::string> given = setting->value.is_switch
                                                   ? std::vector<std::string>{value.on ? "true" : "false"}
                                               : setting->value.is_list ? value.list
                                                                        : std::vector<std::string>{value.text};
        auto applied = config::apply_text(*setting, config, given, config::describe_flag(*setting), warnings);
        if (!applied) return fail(applied.error().message());
    }
    return true;
}

std::string SettingFlags::given(std::string_view flag) const {
    for (const auto& [setting, value] : values_) {
        if (setting->flag == flag && value.option->count() > 0) return value.text;
    }
    return {};
}

std::function<bool(const config::Setting&)> flags_of(config::FlagScope scope) {
    return [scope](const config::Setting& setting) {
        if (scope == config::FlagScope::Init) {
            return setting.scope == config::FlagScope::Server || setting.scope == config::FlagScope::Init;
        }
        return setting.scope == scope;
    };
}

}  // namespace aia::cli
