// aws-iam-authenticator: entry point. Each command lives in its own file as
// it arrives; this file only dispatches.

#include <openssl/crypto.h>

#include <cstdio>
#include <string_view>

#include "build_info.hpp"

namespace {

constexpr const char* kUsage =
    "Usage: aws-iam-authenticator <command>\n"
    "\n"
    "Commands:\n"
    "  version   print the version, git commit, build date and linked library versions\n"
    "\n"
    "The server, token, verify and init commands are not built yet.\n";

int print_version() {
    std::printf("aws-iam-authenticator %s\ncommit: %s\nbuilt: %s\nopenssl: %s\n", aia::build_info::kVersion,
                aia::build_info::kGitCommit, aia::build_info::kBuildDate, OpenSSL_version(OPENSSL_VERSION));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string_view command = argc > 1 ? argv[1] : "";
    if (command == "version") return print_version();
    if (command == "help" || command == "--help" || command == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (!command.empty()) std::fprintf(stderr, "aws-iam-authenticator: unknown command \"%s\"\n\n", argv[1]);
    std::fputs(kUsage, stderr);
    return 2;
}
