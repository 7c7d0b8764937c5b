// `version`: what this binary is and what it was built with.

#include <CLI/CLI.hpp>
#include <boost/version.hpp>
#include <openssl/crypto.h>

#include <cstdio>

#include "build_info.hpp"
#include "commands.hpp"

namespace aia::cli {

void add_version_command(CLI::App& app, int& exit_status) {
    CLI::App* command = app.add_subcommand("version", "Print the version, git commit, build date and library versions");
    command->callback([&exit_status] {
        std::printf("aws-iam-authenticator %s\ncommit: %s\nbuilt: %s\nopenssl: %s\nboost: %d.%d.%d\n",
                    build_info::kVersion, build_info::kGitCommit, build_info::kBuildDate, OpenSSL_version(OPENSSL_VERSION),
                    BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100);
        exit_status = 0;
    });
}

}  // namespace aia::cli
