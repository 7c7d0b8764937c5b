// `explain`: which mapping applies to an ARN, and why, without contacting
// AWS. What operators need when kube-apiserver says "Unauthorized".
//
//   aws-iam-authenticator explain --config config.yaml
//       --arn arn:aws:sts::111122223333:assumed-role/Admin/alice
//
// Exit status: 0 when the ARN is mapped, 1 when it is not, 2 when the
// question cannot be answered (bad flags, configuration or ARN).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>

#include "app/kube/load_api_source.hpp"
#include "app/mapping_sources.hpp"
#include "commands.hpp"
#include "config_file.hpp"
#include "core/arn/arn.hpp"
#include "core/auth/user_mapping.hpp"
#include "core/config/server_config.hpp"

namespace aia::cli {
namespace {

struct ExplainFlags {
    std::string arn;
    std::optional<std::string> session_name;
    std::string access_key_id = "<access key ID>";
    std::string user_id = "<STS user ID>";
    SettingFlags settings;  // --backend-mode, --aws-auth-path, --partition
};

int cannot_answer(const std::string& message) {
    std::fprintf(stderr, "aws-iam-authenticator explain: %s\n", message.c_str());
    return 2;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? std::string(separator) : "") + items[i];
    return out;
}

// The configuration explain maps with: the file's, with the command's flags on top.
Result<config::ServerConfig, std::string> explain_config(const GlobalFlags& globals, const ExplainFlags& flags) {
    config::ServerConfig config;
    if (!globals.config_file.empty()) {
        auto parsed = read_config_file(globals.config_file);
        if (!parsed) return fail(std::move(parsed).error());
        config = std::move(parsed->config);
    }
    std::vector<std::string> ignored;
    for (const SettingFlags* given : {&globals.settings, &flags.settings}) {
        if (auto applied = given->apply(config, ignored); !applied) return fail(applied.error());
    }
    if (config.cluster_id.empty()) config.cluster_id = "explain";  // not needed to map
    if (auto valid = config::validate(config); !valid) return fail(valid.error());
    return config;
}

// The identity STS would report for the ARN.
Result<identity::Identity, std::string> identity_for(const ExplainFlags& flags) {
    auto canonical = arn::canonicalize(flags.arn);
    if (!canonical) return fail(canonical.error());
    identity::Identity identity;
    identity.arn = flags.arn;
    identity.canonical_arn = canonical->arn;
    identity.principal_type = canonical->type;
    identity.account_id = canonical->account;
    identity.user_id = flags.user_id;
    identity.access_key_id = flags.access_key_id;
    if (canonical->type == arn::PrincipalType::AssumedRole) {
        identity.session_name = flags.arn.substr(flags.arn.rfind('/') + 1);
    }
    if (flags.session_name) identity.session_name = *flags.session_name;
    return identity;
}

// One source: loaded or not, its problems, and how its table sees the identity.
void print_source(const app::SourceSpec& spec, const app::LoadResult& loaded, const identity::Identity& identity) {
    const std::string file = !spec.api_object.empty() ? spec.api_object : spec.path.empty() ? "flags only" : spec.path;
    std::printf("\nsource %s (%s): ", spec.name.c_str(), file.c_str());
    if (!loaded.table) {
        std::printf("NOT LOADED: %s (the server would skip this source)\n", loaded.error.c_str());
        return;
    }
    const mapping::MappingTable& table = *loaded.table;
    std::printf("%zu roles, %zu users, %zu accounts\n", table.role_count(), table.user_count(), table.account_count());
    for (const std::string& problem : loaded.problems) std::printf("  problem: %s\n", problem.c_str());
    const mapping::Explanation explanation = table.explain(identity);
    if (explanation.match) {
        const auto& match = *explanation.match;
        std::printf("  matched %s (%.*s)%s%s\n", match.entry ? match.entry->origin.c_str() : "mapAccounts",
                    int(to_string(match.kind).size()), to_string(match.kind).data(), match.entry ? ": " : "",
                    match.entry ? (match.entry->sso ? "sso entry" : match.entry->arn.c_str()) : "");
        return;
    }
    std::printf("  no match%s\n", explanation.near_misses.empty() ? "" : "; nearest entries:");
    for (const mapping::NearMiss& miss : explanation.near_misses) {
        std::printf("    %s %s: %s\n", miss.origin.c_str(), miss.written.c_str(), miss.reason.c_str());
    }
}

int run_explain(const GlobalFlags& globals, const ExplainFlags& flags) {
    auto loaded_config = explain_config(globals, flags);
    if (!loaded_config) return cannot_answer(loaded_config.error());
    const config::ServerConfig& config = *loaded_config;
    auto found = identity_for(flags);
    if (!found) return cannot_answer(found.error());
    const identity::Identity& identity = *found;

    std::printf("ARN:            %s\ncanonical ARN:  %s\n", identity.arn.c_str(), identity.canonical_arn.c_str());
    if (!identity.session_name.empty()) std::printf("session name:   %s\n", identity.session_name.c_str());

    // Snapshots point into the specs: keep them alive for the whole command.
    const std::vector<app::SourceSpec> specs = app::source_specs(config, globals.config_file);
    std::vector<auth::SourceSnapshot> snapshots;
    for (const app::SourceSpec& spec : specs) {
        app::LoadResult loaded =
            spec.api_object.empty() ? app::load_source(spec, &config.mappings) : app::load_api_source(config, spec);
        print_source(spec, loaded, identity);
        snapshots.push_back({spec.name, loaded.table, spec.reserved_prefixes});
    }

    // explain makes no AWS calls: the instance's name stands in as "<private
    // DNS name of i-...>", and the server's lookup is described instead.
    std::optional<std::string> private_dns_name;
    const bool needs_ec2 = auth::mapping_needs_ec2_lookup(identity, snapshots);
    if (needs_ec2) private_dns_name = "<private DNS name of " + identity.session_name + ">";
    const auth::UserMappingSettings settings{
        .scrubbed_accounts = {config.scrubbed_accounts.begin(), config.scrubbed_accounts.end()}};
    auto mapped = auth::map_identity(identity, snapshots, settings, private_dns_name);
    if (!mapped) {
        std::printf("\nresult: NOT MAPPED: %s\n  (kube-apiserver would answer Unauthorized)\n",
                    mapped.error().message.c_str());
        return 1;
    }
    std::printf("\nresult: mapped by %s %s (%.*s)\n", mapped->source.c_str(), mapped->origin.c_str(),
                int(to_string(mapped->kind).size()), to_string(mapped->kind).data());
    std::printf("  username: %s\n  groups:   %s\n  uid:      %s\n", mapped->user.username.c_str(),
                join(mapped->user.groups, ", ").c_str(), mapped->user.uid.c_str());
    if (needs_ec2) {
        std::printf(
            "  note:     the server looks the name up with EC2 DescribeInstances; an instance EC2 does not\n"
            "            know, or knows no private DNS name for, is denied\n");
    }
    return 0;
}

}  // namespace

void add_explain_command(CLI::App& app, const GlobalFlags& globals, int& exit_status) {
    auto flags = std::make_shared<ExplainFlags>();
    CLI::App* command = app.add_subcommand(
        "explain", "Show which mapping applies to an IAM ARN and why (no AWS calls); exit 0 if mapped, 1 if not");
    command
        ->add_option("--arn", flags->arn,
                     "The ARN STS would report, e.g. arn:aws:sts::111122223333:assumed-role/Admin/alice")
        ->required();
    command->add_option("--session-name", flags->session_name, "Session name (default: from an assumed-role ARN)");
    command->add_option("--access-key-id", flags->access_key_id, "Access key ID, for {{AccessKeyID}}");
    command->add_option("--user-id", flags->user_id,
                        "STS user ID (AROA.../AIDA...), for the uid and userIDStrict DynamicFiles");
    // On top of the config file's: which sources to consult, and how.
    flags->settings.add(*command, [](const config::Setting& setting) {
        return setting.flag == "backend-mode" || setting.flag == "aws-auth-path" || setting.flag == "partition" ||
               setting.flag == "kubeconfig" || setting.flag == "master" || setting.flag == "kube-allow-insecure-tls";
    });
    command->callback([&globals, &exit_status, flags] { exit_status = run_explain(globals, *flags); });
}

}  // namespace aia::cli
