#include "core/kube/api_paths.hpp"

#include <map>

#include "core/util/percent_encoding.hpp"

namespace aia::kube {
namespace {

// Go's url.QueryEscape and url.PathEscape agree with this on the characters
// Kubernetes names and resource versions may hold.
std::string escape(std::string_view text) { return percent::encode_sigv4(text); }

// url.Values.Encode: keys in sorted order.
std::string query(const std::map<std::string_view, std::string>& params) {
    std::string out;
    for (const auto& [key, value] : params) {
        out += out.empty() ? "?" : "&";
        out += std::string(key) + "=" + escape(value);
    }
    return out;
}

void add_watch_options(std::map<std::string_view, std::string>& params, const WatchOptions& options) {
    params["watch"] = "true";
    if (options.allow_bookmarks) params["allowWatchBookmarks"] = "true";
    if (!options.resource_version.empty()) params["resourceVersion"] = options.resource_version;
    if (options.timeout_seconds) params["timeoutSeconds"] = std::to_string(*options.timeout_seconds);
}

std::string config_maps(std::string_view name_space) {
    return "/api/v1/namespaces/" + escape(name_space) + "/configmaps";
}

std::string identity_mappings() {
    return "/apis/" + std::string(kIdentityMappingGroup) + "/" + std::string(kIdentityMappingVersion) + "/" +
           std::string(kIdentityMappingPlural);
}

}  // namespace

std::string config_map_path(std::string_view name_space, std::string_view name) {
    return config_maps(name_space) + "/" + escape(name);
}

std::string config_map_list_path(std::string_view name_space, std::string_view name) {
    return config_maps(name_space) + query({{"fieldSelector", "metadata.name=" + std::string(name)}});
}

std::string config_map_watch_path(std::string_view name_space, std::string_view name, const WatchOptions& options) {
    std::map<std::string_view, std::string> params{{"fieldSelector", "metadata.name=" + std::string(name)}};
    add_watch_options(params, options);
    return config_maps(name_space) + query(params);
}

std::string identity_mapping_list_path() { return identity_mappings(); }

std::string identity_mapping_watch_path(const WatchOptions& options) {
    std::map<std::string_view, std::string> params;
    add_watch_options(params, options);
    return identity_mappings() + query(params);
}

std::string identity_mapping_status_path(std::string_view name) {
    return identity_mappings() + "/" + escape(name) + "/status";
}

}  // namespace aia::kube
