#include "core/config/server_config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>

#include "core/aws/partition.hpp"
#include "core/mapping/entry_yaml.hpp"
#include "core/url/url_parts.hpp"
#include "core/util/ascii.hpp"
#include "core/util/quote.hpp"
#include "core/util/split.hpp"

namespace aia::config {
namespace {

// A problem with one key; becomes "config key <path>: <what>".
using KeyError = mapping::ShapeError;  // {where: the key path, what: the problem}

std::string describe(const KeyError& e) { return "config key " + e.where + ": " + e.what; }

// Upstream keys we know but have not built yet: warned about, never fatal.
constexpr std::array<std::string_view, 3> kNotYetSupported = {"kubeconfig", "master", "dynamicbackendmodepath"};

Result<std::string, KeyError> scalar(const YAML::Node& node, const std::string& path) {
    return mapping::read_scalar(node, path);
}

Result<bool, KeyError> boolean(const YAML::Node& node, const std::string& path) {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
        return fail(KeyError{path, "must be true or false"});
    return value;
}

// A list of strings, or one string of names separated by commas or spaces
// (how upstream reads --backend-mode and string-valued lists).
Result<std::vector<std::string>, KeyError> string_list(const YAML::Node& node, const std::string& path) {
    std::vector<std::string> out;
    if (node.IsNull()) return out;
    if (node.IsScalar()) {
        std::string item;
        for (char c : node.Scalar() + ",") {
            if (c == ',' || c == ' ' || c == '\t') {
                if (!item.empty()) out.push_back(std::move(item));
                item.clear();
            } else {
                item += c;
            }
        }
        return out;
    }
    return mapping::read_scalar_list(node, path);
}

// [{backendmode: MountedFile, usernamePrefixReserveList: [aws:, system:]}]
Result<std::map<std::string, std::vector<std::string>>, KeyError> reserved_prefix_config(const YAML::Node& node,
                                                                                         const std::string& path) {
    std::map<std::string, std::vector<std::string>> out;
    if (node.IsNull()) return out;
    if (!node.IsSequence()) return fail(KeyError{path, "must be a list of {backendmode, usernamePrefixReserveList}"});
    for (std::size_t i = 0; i < node.size(); ++i) {
        const std::string where = path + "[" + std::to_string(i) + "]";
        if (!node[i].IsMap())
            return fail(KeyError{where, "must be a mapping with backendmode and usernamePrefixReserveList"});
        std::string mode;
        std::vector<std::string> prefixes;
        for (const auto& field : node[i]) {
            const std::string name = ascii::to_lower(field.first.Scalar());
            if (name == "backendmode") {
                auto value = scalar(field.second, where + ".backendmode");
                if (!value) return fail(std::move(value).error());
                mode = std::move(value).value();
            } else if (name == "usernameprefixreservelist") {
                auto list = mapping::read_scalar_list(field.second, where + ".usernamePrefixReserveList");
                if (!list) return fail(list.error());
                prefixes = std::move(list).value();
            }
        }
        const std::string_view canonical = backend_mode_name(mode);
        if (canonical.empty()) return fail(KeyError{where + ".backendmode", quote(mode) + " is not a backend mode"});
        out[std::string(canonical)] = std::move(prefixes);
    }
    return out;
}

// Applies one key of the "server:" section.
Result<bool, KeyError> apply_server_key(ServerConfig& config, const std::string& key, const YAML::Node& value,
                                        std::vector<std::string>& warnings) {
    const std::string name = ascii::to_lower(key);
    const std::string path = "server." + key;
    const auto set_string = [&](std::string& target) -> Result<bool, KeyError> {
        auto text = scalar(value, path);
        if (!text) return fail(std::move(text).error());
        target = std::move(text).value();
        return true;
    };
    const auto set_duration = [&](std::chrono::milliseconds& target) -> Result<bool, KeyError> {
        auto text = scalar(value, path);
        if (!text) return fail(std::move(text).error());
        auto duration = parse_duration(*text);
        if (!duration) return fail(KeyError{path, duration.error()});
        target = *duration;
        return true;
    };

    if (name == "partition") return set_string(config.partition);
    if (name == "address") return set_string(config.address);
    if (name == "hostname") return set_string(config.hostname);
    if (name == "statedir") return set_string(config.state_dir);
    if (name == "generatekubeconfig") return set_string(config.generate_kubeconfig);
    if (name == "stsendpointoverride") return set_string(config.sts_endpoint_override);
    if (name == "stscacertfile") return set_string(config.sts_ca_cert_file);
    if (name == "region") return set_string(config.region);
    if (name == "awsauthpath") return set_string(config.aws_auth_path);
    if (name == "ec2describeinstancesrolearn") return set_string(config.ec2_describe_instances_role_arn);
    if (name == "sourcearn") return set_string(config.source_arn);
    if (name == "tlshandshaketimeout") return set_duration(config.tls_handshake_timeout);
    if (name == "idletimeout") return set_duration(config.idle_timeout);
    if (name == "readheadertimeout") return set_duration(config.read_header_timeout);
    if (name == "readbodytimeout") return set_duration(config.read_body_timeout);
    if (name == "writetimeout") return set_duration(config.write_timeout);
    if (name == "shutdowngraceperiod") return set_duration(config.shutdown_grace_period);
    if (name == "requesttimeout") return set_duration(config.request_timeout);
    if (name == "ec2describeinstancesqps" || name == "ec2describeinstancesburst" || name == "maxinflightstsrequests" ||
        name == "maxconnections" || name == "maxrequestsperconnection") {
        auto text = scalar(value, path);
        if (!text) return fail(std::move(text).error());
        const std::string& digits = *text;
        if (!ascii::all_of_digits(digits) || digits.empty() || digits.size() > 6) {
            return fail(KeyError{path, "must be a whole number from 1 to 999999, not " + quote(digits)});
        }
        const int number = std::stoi(digits);
        if (name == "maxinflightstsrequests" || name == "maxconnections" || name == "maxrequestsperconnection") {
            if (number < 1) return fail(KeyError{path, "must be at least 1"});
            (name == "maxinflightstsrequests" ? config.max_inflight_sts_requests
             : name == "maxconnections"       ? config.max_connections
                                              : config.max_requests_per_connection) = static_cast<unsigned>(number);
        } else if (name == "ec2describeinstancesqps") {
            config.ec2_describe_instances_qps = number;
        } else {
            config.ec2_describe_instances_burst = number;
        }
        return true;
    }
    if (name == "dynamicfilepath") return set_string(config.dynamic_file_path);
    if (name == "dynamicfileuseridstrict") {
        auto flag = boolean(value, path);
        if (!flag) return fail(std::move(flag).error());
        config.dynamic_file_user_id_strict = *flag;
        return true;
    }
    if (name == "reservedprefixconfig") {
        auto reserved = reserved_prefix_config(value, path);
        if (!reserved) return fail(std::move(reserved).error());
        config.reserved_prefixes = std::move(reserved).value();
        return true;
    }
    if (name == "port") {
        auto text = scalar(value, path);
        if (!text) return fail(std::move(text).error());
        const std::string& digits = *text;
        if (!ascii::all_of_digits(digits) || digits.size() > 5 || std::stoul(digits) > 65535) {
            return fail(KeyError{path, "must be a port number from 0 to 65535, not " + quote(digits)});
        }
        config.port = static_cast<std::uint16_t>(std::stoul(digits));
        return true;
    }
    if (name == "kubeconfigpregenerated") {
        auto flag = boolean(value, path);
        if (!flag) return fail(std::move(flag).error());
        config.kubeconfig_pregenerated = *flag;
        return true;
    }
    if (name == "identitycachettl") return set_duration(config.identity_cache_ttl);
    if (name == "identitycachemaxentries" || name == "identitycachemaxbytes") {
        auto text = scalar(value, path);
        if (!text) return fail(std::move(text).error());
        auto size = parse_byte_size(*text);  // plain digits for the entry count; suffixes are harmless
        if (!size) return fail(KeyError{path, size.error()});
        (name == "identitycachemaxentries" ? config.identity_cache_max_entries : config.identity_cache_max_bytes) =
            *size;
        return true;
    }
    if (name == "ststimeout") return set_duration(config.sts_timeout);
    if (name == "backendmode" || name == "scrubbedaccounts" || name == "mapaccounts" || name == "stsregions") {
        auto list = string_list(value, path);
        if (!list) return fail(std::move(list).error());
        (name == "backendmode"        ? config.backend_mode
         : name == "scrubbedaccounts" ? config.scrubbed_accounts
         : name == "stsregions"       ? config.sts_regions
                                      : config.mappings.accounts) = std::move(list).value();
        return true;
    }
    if (name == "maproles" || name == "mapusers") {
        const bool roles = name == "maproles";
        auto list = mapping::parse_entry_list(value, path, roles ? mapping::EntryKind::Role : mapping::EntryKind::User,
                                              warnings);
        if (!list) return fail(list.error());
        (roles ? config.mappings.roles : config.mappings.users) = std::move(list).value();
        return true;
    }
    if (std::find(kNotYetSupported.begin(), kNotYetSupported.end(), name) != kNotYetSupported.end()) {
        warnings.push_back(path + ": not supported by this build yet; ignored");
        return true;
    }
    warnings.push_back(path + ": unknown key, ignored");
    return true;
}

}  // namespace

Result<ParsedConfig, std::string> parse_server_config(std::string_view yaml_text, ServerConfig base) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml_text));
    } catch (const YAML::Exception& e) {
        return fail("config file is not valid YAML: line " + std::to_string(e.mark.line + 1) + ", column " +
                    std::to_string(e.mark.column + 1) + ": " + e.msg);
    }

    ParsedConfig parsed{std::move(base), {}};
    if (root.IsNull()) return parsed;
    if (!root.IsMap()) return fail(std::string("config file must be a YAML mapping of keys to values"));

    try {
        for (const auto& item : root) {
            const std::string key = item.first.Scalar();
            const std::string name = ascii::to_lower(key);
            if (name == "clusterid") {
                auto value = scalar(item.second, key);
                if (!value) return fail(describe(value.error()));
                parsed.config.cluster_id = std::move(value).value();
            } else if (name == "server") {
                if (item.second.IsNull()) continue;
                if (!item.second.IsMap()) return fail(describe({key, "must be a mapping"}));
                for (const auto& entry : item.second) {
                    auto applied = apply_server_key(parsed.config, entry.first.Scalar(), entry.second, parsed.warnings);
                    if (!applied) return fail(describe(applied.error()));
                }
            } else if (name == "log-format" || name == "log-verbosity") {
                auto value = scalar(item.second, key);
                if (!value) return fail(describe(value.error()));
                (name == "log-format" ? parsed.config.log_format : parsed.config.log_verbosity) =
                    std::move(value).value();
            } else if (name == "feature-gates") {
                auto value = scalar(item.second, key);
                if (!value) return fail(describe(value.error()));
                if (auto applied = apply_feature_gates(*value, parsed.config, parsed.warnings); !applied) {
                    return fail(describe({key, applied.error()}));
                }
            } else {
                parsed.warnings.push_back(key + ": unknown key, ignored");
            }
        }
    } catch (const YAML::Exception& e) {
        // Conversions of odd nodes (aliases to maps used as keys, ...).
        return fail("config file: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    return parsed;
}

Result<bool, std::string> validate(const ServerConfig& config) {
    const auto bad = [](std::string key, std::string what) { return fail("config key " + key + ": " + what); };
    if (config.cluster_id.empty()) {
        return bad(
            "clusterID",
            "cluster ID cannot be empty (set clusterID, --cluster-id or KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID)");
    }
    if (aws::find_partition(config.partition) == nullptr)
        return bad("server.partition", "invalid partition " + quote(config.partition));
    // server.address is checked where it is bound (it needs an IP parser).
    if (config.address.empty()) return bad("server.address", "cannot be empty");
    if (config.backend_mode.empty()) return bad("server.backendMode", "at least one backend-mode must be specified");
    std::vector<std::string_view> seen;
    for (const std::string& mode : config.backend_mode) {
        const std::string_view canonical = backend_mode_name(mode);
        if (canonical.empty()) {
            const bool upstream_mode = mode == "EKSConfigMap" || mode == "ConfigMap" || mode == "CRD";
            return bad("server.backendMode",
                       upstream_mode ? "backend mode " + quote(mode) +
                                           " (watching the API server) is not supported by this build; mount the "
                                           "aws-auth ConfigMap and use EKSConfigMapFile"
                                     : "backend-mode " + quote(mode) + " is not a valid mode");
        }
        if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) {
            return bad("server.backendMode", "backend mode " + quote(mode) + " is listed twice");
        }
        seen.push_back(canonical);
    }
    const bool dynamic_file = std::find(seen.begin(), seen.end(), kModeDynamicFile) != seen.end();
    if (dynamic_file && config.dynamic_file_path.empty()) {
        return bad("server.dynamicfilepath", "dynamicfile is set in backend-mode but dynamicfilepath is not set");
    }
    if (!dynamic_file && !config.dynamic_file_path.empty()) {
        return bad("server.dynamicfilepath", "dynamicfile is not set in backend-mode but dynamicfilepath is set");
    }
    const bool config_map = std::find(seen.begin(), seen.end(), kModeConfigMapFile) != seen.end();
    if (config_map && config.aws_auth_path.empty()) {
        return bad("server.awsAuthPath", "EKSConfigMapFile is set in backend-mode but awsAuthPath is not set");
    }
    for (const std::string& account : config.scrubbed_accounts) {
        if (account.size() != 12 || !ascii::all_of_digits(account)) {
            return bad("server.scrubbedAccounts", quote(account) + " is not a 12-digit account ID");
        }
    }
    if (config.log_format != "text" && config.log_format != "json") {
        return bad("log-format", quote(config.log_format) + " is not text or json");
    }
    static constexpr std::array kLevels = {"trace", "debug", "info", "warning", "warn", "error", "fatal", "panic"};
    if (std::find(kLevels.begin(), kLevels.end(), config.log_verbosity) == kLevels.end()) {
        return bad("log-verbosity",
                   quote(config.log_verbosity) + " is not one of trace, debug, info, warning, error, fatal, panic");
    }
    for (const auto& [key, value] : {std::pair{"server.stsTimeout", config.sts_timeout},
                                     std::pair{"server.tlsHandshakeTimeout", config.tls_handshake_timeout},
                                     std::pair{"server.idleTimeout", config.idle_timeout},
                                     std::pair{"server.readHeaderTimeout", config.read_header_timeout},
                                     std::pair{"server.readBodyTimeout", config.read_body_timeout},
                                     std::pair{"server.writeTimeout", config.write_timeout},
                                     std::pair{"server.requestTimeout", config.request_timeout}}) {
        if (value <= std::chrono::milliseconds::zero()) return bad(key, "must be positive");
    }
    if (config.shutdown_grace_period < std::chrono::milliseconds::zero()) {
        return bad("server.shutdownGracePeriod", "must not be negative");
    }
    if (config.identity_cache_ttl < std::chrono::milliseconds::zero() ||
        config.identity_cache_ttl > kMaxIdentityCacheTTL) {
        return bad("server.identityCacheTTL", "must be from 0 (no cache) to 15m (a token's lifetime)");
    }
    if (config.identity_cache_ttl > std::chrono::milliseconds::zero()) {
        if (config.identity_cache_max_entries < 1) return bad("server.identityCacheMaxEntries", "must be at least 1");
        if (config.identity_cache_max_bytes < 64 * 1024)
            return bad("server.identityCacheMaxBytes", "must be at least 64Ki");
    }
    if (!(config.ec2_describe_instances_qps > 0)) return bad("server.ec2DescribeInstancesQps", "must be positive");
    if (config.ec2_describe_instances_burst < 1) return bad("server.ec2DescribeInstancesBurst", "must be at least 1");
    for (const auto& [key, value] :
         {std::pair{"server.ec2DescribeInstancesRoleARN", &config.ec2_describe_instances_role_arn},
          std::pair{"server.sourceARN", &config.source_arn}}) {
        if (!value->empty() && !value->starts_with("arn:"))
            return bad(key, "must be an ARN (arn:...), not " + quote(*value));
    }
    if (!config.sts_endpoint_override.empty()) {
        if (auto endpoint = parse_endpoint_url(config.sts_endpoint_override); !endpoint) {
            return bad("server.stsEndpointOverride", endpoint.error());
        }
    }
    return true;
}

Result<bool, std::string> apply_feature_gates(std::string_view gates, ServerConfig& config,
                                              std::vector<std::string>& warnings) {
    for (std::string_view gate : split(gates, ',')) {
        while (!gate.empty() && gate.front() == ' ') gate.remove_prefix(1);
        while (!gate.empty() && gate.back() == ' ') gate.remove_suffix(1);
        if (gate.empty()) continue;
        const std::size_t eq = gate.find('=');
        const std::string_view name = gate.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? std::string_view{} : gate.substr(eq + 1);
        if (value != "true" && value != "false")
            return fail("feature gate " + quote(gate) + " must be Name=true or Name=false");
        if (name == "SSORoleMatch") {
            config.sso_role_match = value == "true";
        } else if (name == "ConfiguredInitDirectories" || name == "IAMIdentityMappingCRD") {
            warnings.push_back("feature gate " + std::string(name) + " is not supported by this build yet; ignored");
        } else {
            return fail("unknown feature gate " + quote(name));
        }
    }
    return true;
}

std::string_view backend_mode_name(std::string_view mode) {
    if (mode == "MountedFile" || mode == "File") return kModeMountedFile;
    if (mode == kModeConfigMapFile) return kModeConfigMapFile;
    if (mode == kModeDynamicFile) return kModeDynamicFile;
    return {};
}

Result<Endpoint, std::string> parse_endpoint_url(std::string_view text) {
    const auto invalid = [&] { return fail(quote(text) + " must be https://host[:port]"); };
    const auto parts = url::split_url(text);
    if (!parts || parts->scheme != "https") return invalid();
    if (parts->query || parts->fragment || (!parts->path.empty() && parts->path != "/")) return invalid();
    std::string_view authority = parts->authority;
    if (authority.find('@') != std::string_view::npos) return invalid();

    Endpoint endpoint;
    std::string_view host = authority;
    std::string_view port;
    if (authority.starts_with("[")) {  // [IPv6]:port
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return invalid();
        host = authority.substr(1, close - 1);
        const std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return invalid();
            port = rest.substr(1);
        }
    } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        if (port.empty()) return invalid();
    }
    if (host.empty() || (host.find(':') != std::string_view::npos && !authority.starts_with("["))) return invalid();
    if (!port.empty()) {
        if (!ascii::all_of_digits(port) || port.size() > 5 || std::stoul(std::string(port)) > 65535 ||
            std::stoul(std::string(port)) == 0) {
            return invalid();
        }
        endpoint.port = static_cast<std::uint16_t>(std::stoul(std::string(port)));
    }
    endpoint.host = std::string(host);
    return endpoint;
}

Result<std::chrono::milliseconds, std::string> parse_duration(std::string_view text) {
    if (text.empty()) return fail("empty duration");
    // A bare number is seconds, as a YAML user would expect.
    if (ascii::all_of_digits(text)) {
        if (text.size() > 9) return fail("duration " + quote(text) + " is too long");
        return std::chrono::milliseconds{std::stoll(std::string(text)) * 1000};
    }
    std::chrono::milliseconds total{0};
    std::string_view rest = text;
    while (!rest.empty()) {
        std::size_t digits = 0;
        while (digits < rest.size() && ascii::is_digit(rest[digits])) ++digits;
        if (digits == 0 || digits > 9)
            return fail("invalid duration " + quote(text) + " (want e.g. 10s, 500ms, 1m30s)");
        const long long amount = std::stoll(std::string(rest.substr(0, digits)));
        rest.remove_prefix(digits);
        long long unit_ms = 0;
        if (rest.starts_with("ms")) {
            unit_ms = 1;
            rest.remove_prefix(2);
        } else if (rest.starts_with("s")) {
            unit_ms = 1000;
            rest.remove_prefix(1);
        } else if (rest.starts_with("m")) {
            unit_ms = 60'000;
            rest.remove_prefix(1);
        } else if (rest.starts_with("h")) {
            unit_ms = 3'600'000;
            rest.remove_prefix(1);
        } else {
            return fail("invalid duration " + quote(text) + " (want e.g. 10s, 500ms, 1m30s)");
        }
        total += std::chrono::milliseconds{amount * unit_ms};
    }
    return total;
}

std::string advertised_host(const ServerConfig& config) {
    if (!config.hostname.empty()) return config.hostname;
    if (config.address == "0.0.0.0") return "127.0.0.1";
    if (config.address == "::") return "::1";
    return config.address;
}

}  // namespace aia::config

namespace aia::config {

Result<std::size_t, std::string> parse_byte_size(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && ascii::is_digit(text[digits])) ++digits;
    const std::string_view suffix = text.substr(digits);
    unsigned shift = 0;
    if (suffix == "Ki")
        shift = 10;
    else if (suffix == "Mi")
        shift = 20;
    else if (suffix == "Gi")
        shift = 30;
    else if (!suffix.empty())
        digits = 0;
    if (digits == 0 || digits > 12)
        return fail("invalid size " + quote(text) + " (want a number, or e.g. 64Ki, 32Mi, 1Gi)");
    return static_cast<std::size_t>(std::stoull(std::string(text.substr(0, digits)))) << shift;
}

}  // namespace aia::config
