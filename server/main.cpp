// aws-iam-authenticator: parses the command line and runs one command.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"aws-iam-authenticator: a Kubernetes webhook authenticator for AWS IAM identities"};
    app.require_subcommand(1);
    // Global flags may follow the command, as with upstream's cobra: `server --config x`.
    app.fallthrough();
    app.set_help_all_flag("--help-all", "Print help for all commands");

    aia::cli::GlobalFlags globals;
    app.add_option("-c,--config", globals.config_file, "Load configuration from FILE")->type_name("FILE");
    globals.settings.add(app, aia::cli::flags_of(aia::config::FlagScope::Global));

    int exit_status = 0;
    aia::cli::add_server_command(app, globals, exit_status);
    aia::cli::add_explain_command(app, globals, exit_status);
    aia::cli::add_token_command(app, globals, exit_status);
    aia::cli::add_verify_command(app, globals, exit_status);
    aia::cli::add_init_command(app, globals, exit_status);
    aia::cli::add_add_command(app, exit_status);
    aia::cli::add_version_command(app, exit_status);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help is a "parse error" that exits 0; real ones exit 2, as documented.
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const std::exception& e) {
        // Failures are reported as values; this is for the unforeseen
        // (a thread that cannot start), which must still exit 1, not abort.
        std::fprintf(stderr, "aws-iam-authenticator: %s\n", e.what());
        return 1;
    }
    return exit_status;
}
