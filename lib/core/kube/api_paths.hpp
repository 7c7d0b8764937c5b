#pragma once
// Request targets of the Kubernetes API calls the server makes, spelled as
// client-go spells them (query keys sorted, fieldSelector percent-encoded:
// "fieldSelector=metadata.name%3Daws-auth"). Targets are relative to the API
// root: prefix ClientConfig::base_path.

#include <optional>
#include <string>
#include <string_view>

namespace aia::kube {

inline constexpr std::string_view kIdentityMappingGroup = "iamauthenticator.k8s.aws";
inline constexpr std::string_view kIdentityMappingVersion = "v1alpha1";
inline constexpr std::string_view kIdentityMappingPlural = "iamidentitymappings";

struct WatchOptions {
    std::string resource_version;        // "" : start from the current state
    bool allow_bookmarks = true;         // allowWatchBookmarks=true
    std::optional<int> timeout_seconds;  // the server closes the watch after this long
};

// GET (and PUT, to update) one ConfigMap: /api/v1/namespaces/NS/configmaps/NAME
std::string config_map_path(std::string_view name_space, std::string_view name);

// LIST the ConfigMaps of a namespace with fieldSelector metadata.name=NAME.
std::string config_map_list_path(std::string_view name_space, std::string_view name);

// WATCH the same selection: watch=true plus the options.
std::string config_map_watch_path(std::string_view name_space, std::string_view name, const WatchOptions& options);

// IAMIdentityMappings are cluster-scoped.
std::string identity_mapping_list_path();
std::string identity_mapping_watch_path(const WatchOptions& options);
// PUT the status subresource of one object (the controller writes canonicalARN).
std::string identity_mapping_status_path(std::string_view name);

}  // namespace aia::kube
