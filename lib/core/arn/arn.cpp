#include "core/arn/arn.hpp"

#include <algorithm>
#include <vector>

#include "core/aws/partition.hpp"
#include "core/util/ascii.hpp"
#include "core/util/quote.hpp"
#include "core/util/split.hpp"

namespace aia::arn {
namespace {

// IAM names and paths: letters, digits and "+=,.@_-" (IAM's documented set).
bool is_iam_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return ascii::is_alnum(c) || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '_' || c == '-';
    });
}

bool all_iam_names(const std::vector<std::string_view>& names, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
        if (!is_iam_name(names[i])) return false;
    }
    return true;
}

// IAM path segments: any printable ASCII but '/' (IAM allows '!' through '~').
bool all_path_segments(const std::vector<std::string_view>& segments, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
        if (segments[i].empty() || !std::all_of(segments[i].begin(), segments[i].end(), ascii::is_graphic))
            return false;
    }
    return true;
}

std::string invalid(std::string_view text, std::string_view why) {
    return "arn " + quote(text, 256) + " is invalid: " + std::string(why);
}

std::string iam_arn(const Arn& arn, std::string_view resource) {
    return "arn:" + arn.partition + ":iam::" + arn.account + ":" + std::string(resource);
}

}  // namespace

std::string_view to_string(PrincipalType type) noexcept {
    switch (type) {
        case PrincipalType::User:
            return "user";
        case PrincipalType::Role:
            return "role";
        case PrincipalType::Root:
            return "root";
        case PrincipalType::FederatedUser:
            return "federated-user";
        case PrincipalType::AssumedRole:
            return "assumed-role";
    }
    return "unknown";
}

Result<Arn, std::string> parse(std::string_view text) {
    if (!text.starts_with("arn:")) return fail(invalid(text, "invalid prefix"));
    std::vector<std::string_view> sections;
    std::string_view rest = text;
    for (int i = 0; i < 5; ++i) {
        const std::size_t colon = rest.find(':');
        if (colon == std::string_view::npos) return fail(invalid(text, "not enough sections"));
        sections.push_back(rest.substr(0, colon));
        rest.remove_prefix(colon + 1);
    }
    for (char c : text) {
        if (!ascii::is_graphic(c)) return fail(invalid(text, "contains a space, control or non-ASCII character"));
    }
    Arn arn{std::string(sections[1]), std::string(sections[2]), std::string(sections[3]), std::string(sections[4]),
            std::string(rest)};
    if (arn.partition.empty()) return fail(invalid(text, "empty partition"));
    if (arn.service.empty()) return fail(invalid(text, "empty service"));
    if (arn.resource.empty()) return fail(invalid(text, "empty resource"));
    return arn;
}

Result<Canonical, std::string> canonicalize(std::string_view text) {
    auto parsed = parse(text);
    if (!parsed) return fail(std::move(parsed).error());
    const Arn& arn = parsed.value();

    if (aws::find_partition(arn.partition) == nullptr) {
        return fail("arn " + quote(text, 256) + " does not have a recognized partition");
    }
    if (arn.service != "iam" && arn.service != "sts") {
        return fail("service " + quote(arn.service) + " in arn " + quote(text, 256) +
                    " is not a valid service for identities");
    }
    if (!arn.region.empty()) return fail(invalid(text, "identity ARNs have no region"));
    if (arn.account.size() != 12 || !ascii::all_of_digits(arn.account)) {
        return fail(invalid(text, "account must be 12 digits"));
    }

    const std::vector<std::string_view> parts = split(arn.resource, '/');
    const std::string_view kind = parts[0];
    const std::size_t n = parts.size();
    const auto unrecognized = [&] {
        return "unrecognized resource " + quote(arn.resource, 256) + " for service " + arn.service;
    };

    if (arn.service == "sts") {
        if (kind == "assumed-role") {
            if (n < 3) return fail("assumed-role arn " + quote(text, 256) + " does not have a role");
            if (!all_iam_names(parts, 1, n)) return fail(invalid(text, "malformed role or session name"));
            // Everything between "assumed-role" and the session name is the role.
            std::string role = "role";
            for (std::size_t i = 1; i + 1 < n; ++i) role.append("/").append(parts[i]);
            return Canonical{PrincipalType::AssumedRole, iam_arn(arn, role), arn.account};
        }
        if (kind == "federated-user") {
            if (n != 2 || !is_iam_name(parts[1])) return fail(invalid(text, "malformed federated user name"));
            return Canonical{PrincipalType::FederatedUser, std::string(text), arn.account};
        }
        return fail(unrecognized());
    }

    // service == "iam"
    if (kind == "root") {
        if (n != 1) return fail(unrecognized());
        return Canonical{PrincipalType::Root, std::string(text), arn.account};
    }
    if (kind == "user" || kind == "role") {
        // kind/[path/]name: the path is loose, the name strict.
        if (n < 2 || !all_path_segments(parts, 1, n - 1) || !is_iam_name(parts[n - 1])) {
            return fail(invalid(text, "malformed " + std::string(kind) + " name or path"));
        }
        return Canonical{kind == "user" ? PrincipalType::User : PrincipalType::Role, std::string(text), arn.account};
    }
    return fail(unrecognized());
}

Result<std::string, std::string> strip_role_path(std::string_view text) {
    auto canonical = canonicalize(text);
    if (!canonical) return fail(std::move(canonical).error());
    if (canonical->type != PrincipalType::Role) return std::string(text);
    return without_role_path(*canonical);
}

std::string without_role_path(const Canonical& canonical) {
    if (canonical.type != PrincipalType::Role && canonical.type != PrincipalType::AssumedRole) return canonical.arn;
    const std::string_view arn = canonical.arn;
    const std::size_t resource_start = arn.find(":role/") + 1;
    const std::size_t name_start = arn.rfind('/') + 1;
    std::string stripped;
    stripped.reserve(resource_start + 5 + (arn.size() - name_start));
    stripped.append(arn.substr(0, resource_start)).append("role/").append(arn.substr(name_start));
    return stripped;
}

}  // namespace aia::arn
