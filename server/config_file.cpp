#include "config_file.hpp"

#include <cstdlib>

#include "app/file_reading.hpp"

namespace aia::cli {

Result<config::ParsedConfig, std::string> read_config_file(const std::string& path, config::ServerConfig base) {
    auto text = app::read_file(path, app::kMaxConfigFileBytes);
    if (!text) return fail("cannot read config file " + path + ": " + text.error().reason);
    auto parsed = config::parse_server_config(*text, std::move(base));
    if (!parsed) return fail(path + ": " + parsed.error());
    return std::move(parsed).value();
}

std::string client_cluster_id(const GlobalFlags& globals) {
    if (std::string flag = globals.settings.given("cluster-id"); !flag.empty()) return flag;
    if (const char* env = std::getenv("KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID"); env && *env) return env;
    if (!globals.config_file.empty()) {
        if (auto parsed = read_config_file(globals.config_file)) return parsed->config.cluster_id;
    }
    return {};
}

}  // namespace aia::cli
