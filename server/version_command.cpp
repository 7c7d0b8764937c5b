// `version`: what this binary is and what it was built with. The default
// output is upstream's JSON ({"Version":...,"Commit":...}) with our extra
// fields after it, so scripts reading .Version keep working.

#include <CLI/CLI.hpp>
#include <boost/version.hpp>
#include <openssl/crypto.h>

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "build_info.hpp"
#include "commands.hpp"

namespace aia::cli {
namespace {

struct VersionFlags {
    bool short_form = false;
    std::string output = "json";
};

int run_version(const VersionFlags& flags) {
    if (flags.short_form) {
        std::printf("%s\n", build_info::kVersion);
        return 0;
    }
    const std::string boost = std::to_string(BOOST_VERSION / 100000) + "." +
                              std::to_string(BOOST_VERSION / 100 % 1000) + "." + std::to_string(BOOST_VERSION % 100);
    nlohmann::ordered_json info;
    info["Version"] = build_info::kVersion;
    info["Commit"] = build_info::kGitCommit;
    info["Date"] = build_info::kBuildDate;
    info["OpenSSL"] = OpenSSL_version(OPENSSL_VERSION);
    info["Boost"] = boost;
    if (flags.output == "json") {
        std::printf("%s\n", info.dump().c_str());
    } else if (flags.output == "yaml") {
        // Upstream's YAML keys are lower case.
        for (const auto& [key, value] : info.items()) {
            std::string name = key;
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::printf("%s: %s\n", name.c_str(), nlohmann::json(value.get<std::string>()).dump().c_str());
        }
    } else {
        std::fprintf(stderr, "aws-iam-authenticator version: unknown output format \"%s\" (json or yaml)\n",
                     flags.output.c_str());
        return 2;
    }
    return 0;
}

}  // namespace

void add_version_command(CLI::App& app, int& exit_status) {
    auto flags = std::make_shared<VersionFlags>();
    CLI::App* command = app.add_subcommand("version", "Print the version, git commit, build date and library versions");
    command->add_flag("-s,--short", flags->short_form, "Print only the version number");
    command->add_option("-o,--output", flags->output, "Output format: json (default) or yaml");
    command->callback([&exit_status, flags] { exit_status = run_version(*flags); });
}

}  // namespace aia::cli
