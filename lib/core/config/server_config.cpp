#include "core/config/server_config.hpp"

#include <yaml-cpp/yaml.h>

#include "core/config/settings.hpp"
#include "core/url/url_parts.hpp"
#include "core/util/ascii.hpp"
#include "core/util/quote.hpp"
#include "core/util/split.hpp"

namespace aia::config {
namespace {

// One key of the document, as written ("server.PORT"): the settings table
// matches it without regard to letter case.
Result<bool, std::string> apply_key(ParsedConfig& parsed, const std::string& path, const YAML::Node& value) {
    const Setting* setting = find_setting_by_key(path);
    if (setting == nullptr) {
        parsed.warnings.push_back(path + ": unknown key, ignored");
        return true;
    }
    auto applied = apply_node(*setting, parsed.config, value, path, parsed.warnings);
    if (!applied) return fail(applied.error().message());
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
            if (ascii::to_lower(key) != "server") {
                if (ascii::to_lower(key).starts_with("server.")) {  // only nested under server:
                    parsed.warnings.push_back(key + ": unknown key, ignored");
                } else if (auto applied = apply_key(parsed, key, item.second); !applied) {
                    return fail(applied.error());
                }
                continue;
            }
            if (item.second.IsNull()) continue;
            if (!item.second.IsMap()) return fail("config key " + key + ": must be a mapping");
            for (const auto& entry : item.second) {
                auto applied = apply_key(parsed, "server." + entry.first.Scalar(), entry.second);
                if (!applied) return fail(applied.error());
            }
        }
    } catch (const YAML::Exception& e) {
        // Conversions of odd nodes (aliases to maps used as keys, ...).
        return fail("config file: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    return parsed;
}

Result<bool, std::string> validate(const ServerConfig& config) {
    for (const Setting& setting : settings()) {
        if (!setting.check) continue;
        if (std::string problem = setting.check(config); !problem.empty()) {
            const std::string name = setting.key.empty() ? describe_flag(setting) : describe_key(setting);
            return fail(name + ": " + problem);
        }
    }
    return true;
}

Result<bool, std::string> apply_feature_gates(std::string_view gates, ServerConfig& config) {
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
        } else if (name == "ConfiguredInitDirectories") {
            config.configured_init_directories = value == "true";
        } else if (name == "IAMIdentityMappingCRD") {
            // Upstream declares it and never reads it: the CRD backend runs when listed.
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
    if (mode == kModeConfigMap || mode == "ConfigMap") return kModeConfigMap;
    if (mode == kModeCRD) return kModeCRD;
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
