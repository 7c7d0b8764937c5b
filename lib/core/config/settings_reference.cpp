// The configuration reference in docs/configuration.md, generated from the
// settings table; a unit test regenerates it and compares.

#include <string>

#include "core/config/settings.hpp"

namespace aia::config {
namespace {

std::string code(std::string_view text) { return "`" + std::string(text) + "`"; }

std::string flag_cell(const Setting& setting) {
    if (setting.flag.empty()) return {};
    std::string cell = setting.short_flag
                           ? code(std::string("-") + setting.short_flag + ", --" + std::string(setting.flag))
                           : code("--" + std::string(setting.flag));
    if (setting.scope == FlagScope::Init) cell += " (init)";
    return cell;
}

std::string default_cell(const Setting& setting) {
    if (!setting.default_note.empty()) return std::string(setting.default_note);
    const std::string shown = show_value(setting, ServerConfig{});
    return shown.empty() ? "none" : code(shown);
}

std::string meaning_cell(const Setting& setting) {
    std::string cell(setting.doc);
    if (!setting.env.empty()) cell += "; environment " + code(setting.env);
    if (setting.origin == Origin::Ours) cell += " (ours)";
    return cell;
}

}  // namespace

std::string settings_reference_markdown() {
    std::string out;
    std::string_view group;
    for (const Setting& setting : settings()) {
        if (setting.group != group) {
            group = setting.group;
            out += (out.empty() ? "" : "\n") + std::string("### ") + std::string(group) + "\n\n";
            out += "| Config key | Flag | Default | Meaning |\n| --- | --- | --- | --- |\n";
        }
        const std::string key = setting.key.empty() ? std::string() : code(setting.key);
        out += "| " + key + " | " + flag_cell(setting) + " | " + default_cell(setting) + " | " + meaning_cell(setting) +
               " |\n";
    }
    return out;
}

}  // namespace aia::config
