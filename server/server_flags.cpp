#include "server_flags.hpp"

#include <cstdio>
#include <cstdlib>

#include "config_file.hpp"

namespace aia::cli {

int startup_error(const std::string& message) {
    std::fprintf(stderr, "aws-iam-authenticator: %s\n", message.c_str());
    return 1;
}

Result<config::ParsedConfig, std::string> load_server_config(const GlobalFlags& globals, const ServerFlags& flags,
                                                             config::ServerConfig base) {
    config::ParsedConfig parsed{.config = std::move(base), .warnings = {}};
    if (!globals.config_file.empty()) {
        auto from_file = read_config_file(globals.config_file, std::move(parsed.config));
        if (!from_file) return fail(std::move(from_file).error());
        parsed = std::move(from_file).value();
    }
    auto from_environment = config::apply_environment(parsed.config, std::getenv, parsed.warnings);
    if (!from_environment) return fail(from_environment.error().message());
    for (const SettingFlags* given : {&globals.settings, &flags.settings}) {
        if (auto applied = given->apply(parsed.config, parsed.warnings); !applied) return fail(applied.error());
    }
    auto valid = config::validate(parsed.config);
    if (!valid) return fail(valid.error());
    return parsed;
}

void add_server_flags(CLI::App& command, ServerFlags& flags, config::FlagScope scope) {
    flags.settings.add(command, flags_of(scope));
}

}  // namespace aia::cli
