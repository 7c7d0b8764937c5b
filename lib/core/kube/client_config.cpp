#include "core/kube/client_config.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <map>

#include "core/url/url_parts.hpp"
#include "core/util/ascii.hpp"
#include "core/util/base64.hpp"
#include "core/util/ip_literal.hpp"

namespace aia::kube {
namespace {

Result<uint16_t, std::string> parse_port(std::string_view text) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
        return fail("invalid port \"" + std::string(text) + "\"");
    }
    return static_cast<uint16_t>(value);
}

// "host", "host:port", "[v6]" or "[v6]:port".
Result<ServerUrl, std::string> split_authority(std::string_view authority) {
    ServerUrl out;
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return fail(std::string("unclosed '[' in host"));
        out.host = std::string(authority.substr(1, close - 1));
        if (!is_ipv6_literal(out.host)) return fail("\"" + out.host + "\" is not an IPv6 address");
        const std::string_view rest = authority.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return fail(std::string("unexpected text after ']'"));
        if (!rest.empty()) port_text = rest.substr(1);
        if (!rest.empty() && port_text.empty()) return fail(std::string("empty port"));
    } else {
        const std::size_t colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.find(':') != std::string_view::npos) return fail(std::string("IPv6 hosts need brackets"));
            if (port_text.empty()) return fail(std::string("empty port"));
        }
    }
    if (out.host.empty()) return fail(std::string("no host"));
    if (!port_text.empty()) {
        auto port = parse_port(port_text);
        if (!port) return fail(port.error());
        out.port = *port;
    }
    return out;
}

}  // namespace

std::string authority(const ClientConfig& config) {
    const bool v6 = config.server_host.find(':') != std::string::npos;
    return (v6 ? "[" + config.server_host + "]" : config.server_host) + ":" + std::to_string(config.port);
}

Result<ServerUrl, std::string> parse_server_url(std::string_view url) {
    const std::string quoted = "server URL \"" + std::string(url) + "\"";
    if (url.find("://") == std::string_view::npos) return fail(quoted + " must start with https://");
    auto parts = url::split_url(url);
    if (!parts) return fail(quoted + ": " + parts.error());
    if (ascii::iequals(parts->scheme, "http")) {
        return fail(quoted + ": plain http:// is refused because API requests carry credentials; use https://");
    }
    if (!ascii::iequals(parts->scheme, "https")) return fail(quoted + " must start with https://");
    if (parts->query || parts->fragment) return fail(quoted + " must not have a query or fragment");
    if (parts->authority.find('@') != std::string_view::npos) return fail(quoted + " must not carry user info");
    auto server = split_authority(parts->authority);
    if (!server) return fail(quoted + ": " + server.error());
    std::string_view path = parts->path;
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    server->base_path = std::string(path);
    return server;
}

Result<ClientConfig, std::string> apply_master(ClientConfig config, std::string_view master_url) {
    auto server = parse_server_url(master_url);
    if (!server) return fail("--master: " + server.error());
    config.server_host = std::move(server->host);
    config.port = server->port;
    config.base_path = std::move(server->base_path);
    return config;
}

Result<ClientConfig, std::string> in_cluster_config(const EnvLookup& env) {
    const std::string host = env("KUBERNETES_SERVICE_HOST");
    const std::string port = env("KUBERNETES_SERVICE_PORT");
    if (host.empty() || port.empty()) {
        return fail(
            std::string("not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset) and no --kubeconfig given"));
    }
    const bool v6 = host.find(':') != std::string::npos;
    auto server = parse_server_url("https://" + (v6 ? "[" + host + "]" : host) + ":" + port);
    if (!server) return fail("in-cluster: KUBERNETES_SERVICE_HOST/PORT: " + server.error());
    if (!server->base_path.empty()) return fail("in-cluster: KUBERNETES_SERVICE_HOST \"" + host + "\" is not a host");
    ClientConfig config;
    config.server_host = std::move(server->host);
    config.port = server->port;
    config.token_file = std::string(kServiceAccountTokenFile);
    config.ca.file = std::string(kServiceAccountCaFile);
    config.source = "in-cluster";
    return config;
}

// ---- kubeconfig ----

namespace {

using NamedNodes = std::map<std::string, YAML::Node>;

// The string at map[key]; "" when absent or null.
Result<std::string, std::string> string_field(const YAML::Node& map, const char* key, const std::string& where) {
    const YAML::Node node = map[key];
    if (!node || node.IsNull()) return std::string{};
    if (!node.IsScalar()) return fail(where + "." + key + " is not a string");
    return node.Scalar();
}

Result<bool, std::string> bool_field(const YAML::Node& map, const char* key, const std::string& where) {
    const YAML::Node node = map[key];
    if (!node || node.IsNull()) return false;
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
        return fail(where + "." + key + " is not a boolean");
    return value;
}

// clusters: [{name: N, cluster: {...}}] -> {N: {...}}; duplicate names are refused.
Result<NamedNodes, std::string> named_list(const YAML::Node& root, const char* list_key, const char* item_key) {
    NamedNodes out;
    const YAML::Node list = root[list_key];
    if (!list || list.IsNull()) return out;
    if (!list.IsSequence()) return fail(std::string(list_key) + " is not a list");
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string where = std::string(list_key) + "[" + std::to_string(i) + "]";
        if (!list[i].IsMap()) return fail(where + " is not a mapping");
        auto name = string_field(list[i], "name", where);
        if (!name) return fail(name.error());
        if (name->empty()) return fail(where + " has no name");
        const YAML::Node body = list[i][item_key];
        if (body && !body.IsNull() && !body.IsMap()) return fail(where + "." + item_key + " is not a mapping");
        if (!out.emplace(*name, body ? body : YAML::Node(YAML::NodeType::Map)).second) {
            return fail(std::string(list_key) + ": \"" + *name + "\" is defined twice");
        }
    }
    return out;
}

// client-go resolves relative paths against the kubeconfig's directory.
std::string resolve_path(std::string_view dir, const std::string& path) {
    if (path.empty() || path.front() == '/' || dir.empty()) return path;
    std::string base(dir);
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    return base == "/" ? "/" + path : base + "/" + path;
}

// Standard padded base64 as Go's StdEncoding reads it (line breaks ignored).
Result<std::string, std::string> decode_standard_base64(std::string_view encoded) {
    std::string url;
    url.reserve(encoded.size());
    for (char c : encoded) {
        if (c == '\r' || c == '\n') continue;
        url += c == '+' ? '-' : c == '/' ? '_' : (c == '-' || c == '_') ? '!' : c;
    }
    if (url.size() % 4 != 0) return fail(std::string("base64 length is not a multiple of 4"));
    std::size_t padding = 0;
    while (padding < url.size() && url[url.size() - 1 - padding] == '=') ++padding;
    if (padding > 2) return fail(std::string("too much base64 padding"));
    url.erase(url.size() - padding);
    auto decoded = base64::decode_url_unpadded(url);
    if (!decoded) return fail("invalid base64 near byte " + std::to_string(decoded.error().position));
    return std::move(decoded).value();
}

// A PEM given as FIELD-data (base64) or FIELD (a path); not both, as client-go validates.
Result<PemSource, std::string> pem_field(const YAML::Node& map, const std::string& field, const std::string& where,
                                         std::string_view dir) {
    auto file = string_field(map, field.c_str(), where);
    if (!file) return fail(file.error());
    auto data = string_field(map, (field + "-data").c_str(), where);
    if (!data) return fail(data.error());
    if (!file->empty() && !data->empty()) return fail(where + ": both " + field + " and " + field + "-data are set");
    PemSource pem;
    pem.file = resolve_path(dir, *file);
    if (data->empty()) return pem;
    auto decoded = decode_standard_base64(*data);
    if (!decoded) return fail(where + "." + field + "-data: " + decoded.error());
    pem.data = std::move(decoded).value();
    return pem;
}

Result<ClientConfig, std::string> apply_cluster(ClientConfig config, const YAML::Node& cluster,
                                                const std::string& where, std::string_view dir, bool allow_insecure) {
    if (cluster["proxy-url"]) return fail(where + ": proxy-url is not supported");
    auto server = string_field(cluster, "server", where);
    if (!server) return fail(server.error());
    if (server->empty()) return fail(where + " has no server");
    auto url = parse_server_url(*server);
    if (!url) return fail(where + ": " + url.error());
    config.server_host = std::move(url->host);
    config.port = url->port;
    config.base_path = std::move(url->base_path);
    auto name = string_field(cluster, "tls-server-name", where);
    if (!name) return fail(name.error());
    config.tls_server_name = std::move(name).value();
    auto ca = pem_field(cluster, "certificate-authority", where, dir);
    if (!ca) return fail(ca.error());
    config.ca = std::move(ca).value();
    auto insecure = bool_field(cluster, "insecure-skip-tls-verify", where);
    if (!insecure) return fail(insecure.error());
    if (*insecure && !allow_insecure) {
        return fail(where + ": insecure-skip-tls-verify is true; refused unless explicitly allowed");
    }
    if (*insecure && !config.ca.empty()) return fail(where + ": insecure-skip-tls-verify and a CA are both set");
    config.insecure_skip_tls_verify = *insecure;
    return config;
}

// Credential kinds client-go supports and we do not: refused rather than
// silently sending unauthenticated requests.
std::optional<std::string> unsupported_user_field(const YAML::Node& user) {
    static constexpr std::array<std::string_view, 8> kRefused = {"exec", "auth-provider", "username",  "password",
                                                                 "as",   "as-uid",        "as-groups", "as-user-extra"};
    for (std::string_view key : kRefused) {
        const YAML::Node node = user[std::string(key)];
        if (node && !node.IsNull()) return std::string(key);
    }
    return std::nullopt;
}

Result<ClientConfig, std::string> apply_user(ClientConfig config, const YAML::Node& user, const std::string& where,
                                             std::string_view dir) {
    if (auto refused = unsupported_user_field(user)) return fail(where + ": \"" + *refused + "\" is not supported");
    auto token = string_field(user, "token", where);
    if (!token) return fail(token.error());
    auto token_file = string_field(user, "tokenFile", where);
    if (!token_file) return fail(token_file.error());
    auto cert = pem_field(user, "client-certificate", where, dir);
    if (!cert) return fail(cert.error());
    auto key = pem_field(user, "client-key", where, dir);
    if (!key) return fail(key.error());
    if (cert->empty() != key->empty()) return fail(where + ": a client certificate needs a client key and vice versa");
    if (!cert->empty() && (!token->empty() || !token_file->empty())) {
        return fail(where + ": more than one authentication method (token and client certificate)");
    }
    config.bearer_token = std::move(token).value();
    config.token_file = resolve_path(dir, *token_file);
    config.client_cert = std::move(cert).value();
    config.client_key = std::move(key).value();
    return config;
}

struct Sections {
    NamedNodes clusters, users, contexts;
};

Result<Sections, std::string> read_sections(const YAML::Node& root) {
    Sections sections;
    auto clusters = named_list(root, "clusters", "cluster");
    if (!clusters) return fail(clusters.error());
    auto users = named_list(root, "users", "user");
    if (!users) return fail(users.error());
    auto contexts = named_list(root, "contexts", "context");
    if (!contexts) return fail(contexts.error());
    return Sections{std::move(*clusters), std::move(*users), std::move(*contexts)};
}

// `label` names the document in ClientConfig::source: "kubeconfig" or "kubeconfig PATH".
Result<ClientConfig, std::string> parse_kubeconfig_node(const YAML::Node& root, std::string_view dir,
                                                        std::string_view context_override, bool allow_insecure,
                                                        const std::string& label) {
    if (!root.IsMap()) return fail(std::string("kubeconfig is not a YAML mapping"));
    auto sections = read_sections(root);
    if (!sections) return fail(sections.error());
    auto current = string_field(root, "current-context", "kubeconfig");
    if (!current) return fail(current.error());
    const std::string context_name = context_override.empty() ? *current : std::string(context_override);
    if (context_name.empty()) return fail(std::string("kubeconfig has no current-context and no context was chosen"));
    const auto context = sections->contexts.find(context_name);
    if (context == sections->contexts.end()) return fail("context \"" + context_name + "\" not found in kubeconfig");
    const std::string where = "context \"" + context_name + "\"";
    auto cluster_name = string_field(context->second, "cluster", where);
    if (!cluster_name) return fail(cluster_name.error());
    auto user_name = string_field(context->second, "user", where);
    if (!user_name) return fail(user_name.error());
    const auto cluster = sections->clusters.find(*cluster_name);
    if (cluster == sections->clusters.end()) return fail(where + ": cluster \"" + *cluster_name + "\" not found");
    auto config = apply_cluster({}, cluster->second, "cluster \"" + *cluster_name + "\"", dir, allow_insecure);
    if (!config) return fail(config.error());
    config->source = label + " context " + context_name;
    if (user_name->empty()) return config;  // client-go allows a context without a user
    const auto user = sections->users.find(*user_name);
    if (user == sections->users.end()) return fail(where + ": user \"" + *user_name + "\" not found");
    return apply_user(std::move(config).value(), user->second, "user \"" + *user_name + "\"", dir);
}

std::string directory_of(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) return {};
    return slash == 0 ? "/" : std::string(path.substr(0, slash));
}

Result<ClientConfig, std::string> parse_labelled(std::string_view yaml, std::string_view dir,
                                                 std::string_view context_override, bool allow_insecure,
                                                 const std::string& label) {
    try {
        const YAML::Node root = YAML::Load(std::string(yaml));
        return parse_kubeconfig_node(root, dir, context_override, allow_insecure, label);
    } catch (const YAML::Exception& e) {
        return fail("kubeconfig is not valid YAML: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
}

}  // namespace

Result<ClientConfig, std::string> parse_kubeconfig(std::string_view yaml, std::string_view kubeconfig_dir,
                                                   std::string_view context_override, bool allow_insecure) {
    return parse_labelled(yaml, kubeconfig_dir, context_override, allow_insecure, "kubeconfig");
}

Result<ResolvedConfig, std::string> resolve(const ResolveInput& input, const EnvLookup& env) {
    ResolvedConfig out;
    if (!input.kubeconfig_path.empty()) {
        auto config = parse_labelled(input.kubeconfig_text, directory_of(input.kubeconfig_path), input.context,
                                     input.allow_insecure, "kubeconfig " + input.kubeconfig_path);
        if (!config) return fail("kubeconfig " + input.kubeconfig_path + ": " + config.error());
        if (!input.master.empty()) {
            config = apply_master(std::move(config).value(), input.master);
            if (!config) return fail(config.error());
            config->source += ", server from --master";
        }
        out.config = std::move(config).value();
        return out;
    }
    if (!input.master.empty()) {
        auto config = apply_master({}, input.master);
        if (!config) return fail(config.error());
        out.config = std::move(config).value();
        out.config.source = "--master";
        out.warnings.push_back("--master without --kubeconfig: requests to " + input.master +
                               " carry no credentials and the server is verified against the system roots");
        return out;
    }
    if (input.warn_in_cluster) {
        out.warnings.push_back(
            "Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work.");
    }
    auto config = in_cluster_config(env);
    if (!config) return fail(config.error());
    out.config = std::move(config).value();
    return out;
}

}  // namespace aia::kube
