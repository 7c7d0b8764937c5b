#include "app/kube/kube_settings.hpp"

#include <cstdlib>

#include "app/file_reading.hpp"

namespace aia::app {

Result<kube::ResolvedConfig, std::string> resolve_kube_config(const KubeConnection& connection) {
    kube::ResolveInput input{.master = connection.master,
                             .kubeconfig_path = connection.kubeconfig,
                             .context = connection.context,
                             .allow_insecure = connection.allow_insecure,
                             .warn_in_cluster = connection.warn_in_cluster};
    if (!connection.kubeconfig.empty()) {
        auto text = read_file(connection.kubeconfig, kMaxConfigFileBytes);
        if (!text) return fail(text.error().message);
        input.kubeconfig_text = std::move(text).value();
    }
    const kube::EnvLookup env = [](std::string_view name) {
        const char* value = std::getenv(std::string(name).c_str());
        return std::string(value != nullptr ? value : "");
    };
    return kube::resolve(input, env);
}

Result<kube::ResolvedConfig, std::string> resolve_kube_config(const config::ServerConfig& c) {
    auto resolved = resolve_kube_config(
        KubeConnection{.kubeconfig = c.kubeconfig, .master = c.master, .allow_insecure = c.kube_allow_insecure});
    if (!resolved && !c.kubeconfig.empty() && resolved.error().starts_with("cannot read"))
        return fail("config key server.kubeconfig: " + resolved.error());
    return resolved;
}

}  // namespace aia::app
