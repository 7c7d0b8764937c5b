// `add user` / `add role`: append one mapping to the kube-system/aws-auth
// ConfigMap through the Kubernetes API, with upstream's flags and messages.
//
// Where upstream falls short, this does not: --sso works (upstream
// dereferences a nil pointer), the other data keys and the comments of
// aws-auth are kept (upstream re-encodes the whole data map), and without
// --kubeconfig the in-cluster config is tried (upstream exits with "empty
// kubeconfig"). Errors go to stderr, with upstream's wording.
//
// Exit status: 0 added or cancelled, 1 failed, 2 command line not understood.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "app/kube/add_aws_auth_mapping.hpp"
#include "app/kube/kube_settings.hpp"
#include "commands.hpp"
#include "core/kube/aws_auth_edit.hpp"
#include "core/kube/client_config.hpp"
#include "core/util/ascii.hpp"

namespace aia::cli {
namespace {

struct AddFlags {
    bool prompt = true;
    std::string master_url;
    std::string kubeconfig;
    std::string context;
    // add user / add role
    std::string user_arn;
    std::string role_arn;
    std::vector<std::string> sso;  // key=value[,key=value], as pflag's StringToString
    std::string username;
    std::vector<std::string> groups;
};

int failed(const std::string& message) {
    std::fprintf(stderr, "%s\n", message.c_str());
    return 1;
}

// Go's %q, for the short flag values these messages show.
std::string go_quote(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte == 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// Go's %q of a []string: ["a" "b"].
std::string go_quote(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? " " : "") + go_quote(items[i]);
    return out + "]";
}

// Where the API is: --kubeconfig (with --master-url over its server and
// --kubeconfig-context), else --master-url alone, else in-cluster.
Result<kube::ClientConfig, std::string> client_config(const AddFlags& flags) {
    if (flags.kubeconfig.empty() && !flags.context.empty())
        return fail(std::string("--kubeconfig-context needs --kubeconfig"));
    auto resolved = app::resolve_kube_config(app::KubeConnection{.kubeconfig = flags.kubeconfig,
                                                                 .master = flags.master_url,
                                                                 .context = flags.context,
                                                                 .warn_in_cluster = false});
    if (!resolved) {
        if (flags.kubeconfig.empty() && flags.master_url.empty()) {
            return fail("no Kubernetes API to talk to: give --kubeconfig or --master-url (not running in a cluster: " +
                        resolved.error() + ")");
        }
        return fail(resolved.error().starts_with("cannot read") ? "--kubeconfig: " + resolved.error() : resolved.error());
    }
    for (const std::string& warning : resolved->warnings) std::fprintf(stderr, "warning: %s\n", warning.c_str());
    return std::move(resolved->config);
}

// pflag's StringToString: "k=v,k2=v2", repeatable, later keys win.
Result<std::map<std::string, std::string>, std::string> parse_sso(const std::vector<std::string>& values) {
    std::map<std::string, std::string> out;
    for (const std::string& value : values) {
        std::size_t at = 0;
        while (at <= value.size()) {
            std::size_t end = value.find(',', at);
            if (end == std::string::npos) end = value.size();
            const std::string pair = value.substr(at, end - at);
            const std::size_t equals = pair.find('=');
            if (equals == std::string::npos)
                return fail("invalid argument " + go_quote(value) + " for \"--sso\" flag: " + pair +
                            " must be formatted as key=value");
            out[pair.substr(0, equals)] = pair.substr(equals + 1);
            at = end + 1;
        }
    }
    return out;
}

// Upstream's prompt: y or yes goes ahead, anything else (EOF too) cancels.
bool confirmed(const std::string& action) {
    std::printf("Ready to add %s, should we continue? [y/N]: ", go_quote(action).c_str());
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer)) answer.clear();
    const std::size_t first = answer.find_first_not_of(" \t\r\n");
    const std::size_t last = answer.find_last_not_of(" \t\r\n");
    answer = first == std::string::npos ? std::string{} : ascii::to_lower(answer.substr(first, last - first + 1));
    return answer == "y" || answer == "yes";
}

int run_add(const AddFlags& flags, const kube::NewMapping& mapping) {
    const std::string action = kube::describe_addition(mapping);
    if (flags.prompt && !confirmed(action)) {
        std::printf("cancelled %s\n", go_quote(action).c_str());
        return 0;
    }
    auto config = client_config(flags);
    if (!config) return failed(config.error());
    auto updated = app::add_aws_auth_mapping_blocking(*config, mapping);
    if (!updated) return failed(updated.error());
    std::printf("updated configmap:\n\n%s\n", kube::object_yaml(*updated).c_str());
    return 0;
}

int run_add_user(const AddFlags& flags) {
    if (flags.user_arn.empty() || flags.username.empty() || flags.groups.empty()) {
        return failed("invalid empty value in userARN " + go_quote(flags.user_arn) + ", username " +
                      go_quote(flags.username) + ", groups " + go_quote(flags.groups));
    }
    kube::NewMapping mapping{mapping::EntryKind::User,
                             {.arn = flags.user_arn, .username = flags.username, .groups = flags.groups}};
    return run_add(flags, mapping);
}

int run_add_role(const AddFlags& flags) {
    kube::NewMapping mapping{mapping::EntryKind::Role,
                             {.arn = flags.role_arn, .username = flags.username, .groups = flags.groups}};
    if (!flags.sso.empty()) {
        if (!flags.role_arn.empty()) return failed("only one of --rolearn or --sso can be supplied");
        auto settings = parse_sso(flags.sso);
        if (!settings) {
            std::fprintf(stderr, "%s\n", settings.error().c_str());
            return 2;
        }
        for (const char* key : {"permissionSetName", "accountID"}) {
            if (!settings->contains(key)) return failed(std::string("required key '") + key + "' missing from --sso flag");
        }
        mapping.entry.sso = mapping::SsoMatcher{.permission_set_name = (*settings)["permissionSetName"],
                                                .account_id = (*settings)["accountID"],
                                                .partition = settings->contains("partition") ? (*settings)["partition"]
                                                                                             : std::string{}};
        // Only the sso part is judged here; the rest when the entry is added.
        kube::NewMapping sso_only = mapping;
        sso_only.entry.username = "x";
        sso_only.entry.groups.clear();
        if (auto problem = kube::mapping_problem(sso_only)) return failed("error validating --sso: " + *problem);
    }
    if ((flags.role_arn.empty() && flags.sso.empty()) || flags.username.empty() || flags.groups.empty()) {
        return failed("invalid empty value in rolearn " + go_quote(flags.role_arn) + ", username " +
                      go_quote(flags.username) + ", groups " + go_quote(flags.groups));
    }
    return run_add(flags, mapping);
}

constexpr const char* kNotForOtherBackends = "NOTE: this does not currently support the CRD and file backends";

}  // namespace

void add_add_command(CLI::App& app, int& exit_status) {
    auto flags = std::make_shared<AddFlags>();
    CLI::App* add = app.add_subcommand("add", "add IAM entity to an existing aws-auth configmap");
    add->require_subcommand(1);
    add->fallthrough();  // its flags may follow `user` / `role`, as cobra's persistent flags
    add->add_flag("--prompt", flags->prompt, "'false' to disable prompt (default true)");
    add->add_option("--master-url", flags->master_url, "kube-apiserver URL for creating Kubernetes client");
    add->add_option("--kubeconfig", flags->kubeconfig,
                    "kubeconfig file path; if empty, --master-url alone, else the in-cluster config");
    add->add_option("--kubeconfig-context", flags->context, "kubeconfig context, if empty, it uses the default context");

    CLI::App* user =
        add->add_subcommand("user", "add a user entity to an existing aws-auth configmap, not for CRD/file backends");
    user->footer(kNotForOtherBackends);
    user->add_option("--userarn", flags->user_arn, "A new user ARN");
    user->add_option("--username", flags->username, "A new user name");
    user->add_option("--groups", flags->groups, "A new user groups")->delimiter(',')->allow_extra_args(false);
    user->callback([flags, &exit_status] { exit_status = run_add_user(*flags); });

    CLI::App* role =
        add->add_subcommand("role", "add a role entity to an existing aws-auth configmap, not for CRD/file backends");
    role->footer(kNotForOtherBackends);
    role->add_option("--rolearn", flags->role_arn, "A new role ARN");
    role->add_option("--sso", flags->sso,
                     "Settings for a new SSO role. Expects \"permissionSetName\", \"accountID\", and \"partition\" "
                     "(optional)")
        ->allow_extra_args(false);
    role->add_option("--username", flags->username, "A new user name");
    role->add_option("--groups", flags->groups, "A new role groups")->delimiter(',')->allow_extra_args(false);
    role->callback([flags, &exit_status] { exit_status = run_add_role(*flags); });
}

}  // namespace aia::cli
