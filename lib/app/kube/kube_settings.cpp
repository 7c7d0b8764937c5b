#include "app/kube/kube_settings.hpp"

#include <cstdlib>

#include "app/file_reading.hpp"

namespace aia::app {

Result<kube::ResolvedConfig, std::string> resolve_kube_config(const config::ServerConfig& c) {
    kube::ResolveInput input{
        .master = c.master, .kubeconfig_path = c.kubeconfig, .allow_insecure = c.kube_allow_insecure};
    if (!c.kubeconfig.empty()) {
        auto text = read_file(c.kubeconfig, kMaxConfigFileBytes);
        if (!text) return fail("config key server.kubeconfig: " + text.error().message);
        input.kubeconfig_text = std::move(text).value();
    }
    const kube::EnvLookup env = [](std::string_view name) {
        const char* value = std::getenv(std::string(name).c_str());
        return std::string(value != nullptr ? value : "");
    };
    return kube::resolve(input, env);
}

}  // namespace aia::app
