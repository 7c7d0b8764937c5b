#include "app/aws/aws_environment.hpp"

#include <cstdlib>
#include <optional>

#include "core/aws/partition.hpp"
#include "core/url/url_parts.hpp"
#include "core/util/ascii.hpp"

extern char** environ;

namespace aia::app {

AwsEnvironment AwsEnvironment::from_process() {
    std::map<std::string, std::string> variables;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const std::size_t eq = text.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = text.substr(0, eq);
        if (name.starts_with("AWS_") || name == "HOME") variables.emplace(name, text.substr(eq + 1));
    }
    return AwsEnvironment(std::move(variables));
}

std::string AwsEnvironment::get(std::string_view name) const {
    const auto it = variables_.find(name);
    return it == variables_.end() ? std::string{} : it->second;
}

Result<UrlEndpoint, std::string> parse_url_endpoint(std::string_view url) {
    const auto invalid = [&] {
        return fail("\"" + std::string(url) + "\" is not an http(s)://host[:port][/path] URL");
    };
    const auto parts = url::split_url(url);
    if (!parts || (parts->scheme != "https" && parts->scheme != "http") || parts->authority.empty()) return invalid();
    if (parts->query || parts->fragment || parts->authority.find('@') != std::string_view::npos) return invalid();

    UrlEndpoint out;
    out.endpoint.tls = parts->scheme == "https";
    out.endpoint.port = out.endpoint.tls ? 443 : 80;
    out.host_header = std::string(parts->authority);
    std::string_view authority = parts->authority, port;
    if (authority.starts_with("[")) {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return invalid();
        out.endpoint.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') return invalid();
            port = authority.substr(close + 2);
        }
    } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        out.endpoint.host = std::string(authority.substr(0, colon));
        port = authority.substr(colon + 1);
    } else {
        out.endpoint.host = std::string(authority);
    }
    if (out.endpoint.host.empty()) return invalid();
    if (!port.empty()) {
        if (!ascii::all_of_digits(port) || port.size() > 5 || std::stoul(std::string(port)) > 65535) return invalid();
        out.endpoint.port = static_cast<std::uint16_t>(std::stoul(std::string(port)));
    }
    if (!parts->path.empty()) out.path = std::string(parts->path);
    return out;
}

namespace {

// AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL; nullopt when neither is set.
std::optional<Result<UrlEndpoint, std::string>> endpoint_override(const AwsEnvironment& environment,
                                                                  std::string_view service) {
    std::string upper = "AWS_ENDPOINT_URL_";
    for (char c : service) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    for (const std::string& name : {upper, std::string("AWS_ENDPOINT_URL")}) {
        if (const std::string url = environment.get(name); !url.empty()) {
            auto parsed = parse_url_endpoint(url);
            if (!parsed) return Result<UrlEndpoint, std::string>(fail(name + ": " + parsed.error()));
            return parsed;
        }
    }
    return std::nullopt;
}

std::string_view partition_domain(std::string_view region) {
    const aws::Partition* partition = aws::partition_for_region(region);
    if (partition == nullptr) partition = aws::find_partition("aws");
    return partition->domain;
}

}  // namespace

Result<UrlEndpoint, std::string> service_endpoint(const AwsEnvironment& environment, std::string_view service,
                                                  std::string_view region) {
    if (auto overridden = endpoint_override(environment, service)) return std::move(*overridden);
    if (region.empty()) return fail("no AWS region for the " + std::string(service) + " endpoint");
    return parse_url_endpoint("https://" + std::string(service) + "." + std::string(region) + "." +
                              std::string(partition_domain(region)));
}

Result<UrlEndpoint, std::string> sso_portal_endpoint(const AwsEnvironment& environment, std::string_view region) {
    if (auto overridden = endpoint_override(environment, "sso")) return std::move(*overridden);
    if (!aws::is_valid_region_label(region)) return fail("sso_region \"" + std::string(region) + "\" is not a region");
    return parse_url_endpoint("https://portal.sso." + std::string(region) + "." +
                              std::string(partition_domain(region)));
}

}  // namespace aia::app
