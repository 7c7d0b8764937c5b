// A blocking runner in a file of its own (see verify_token_blocking.cpp).
#include "app/kube/load_api_source.hpp"

#include "app/kube/api_source_content.hpp"
#include "app/kube/kube_client.hpp"
#include "app/kube/kube_settings.hpp"
#include "core/kube/api_paths.hpp"
#include "core/kube/aws_auth_object.hpp"
#include "net/run_blocking.hpp"

namespace aia::app {

LoadResult load_api_source(const config::ServerConfig& config, const SourceSpec& spec) {
    LoadResult result;
    const bool aws_auth = spec.name == config::kModeConfigMap;
    if (!aws_auth && spec.name != config::kModeCRD) {
        result.error = spec.name + " is not kept in the Kubernetes API";
        return result;
    }
    auto where = resolve_kube_config(config);
    if (!where) {
        result.error = "Kubernetes API: " + where.error();
        return result;
    }
    result.problems = std::move(where->warnings);
    net::asio::io_context io;
    auto client = KubeClient::create(io, std::move(where->config));
    if (!client) {
        result.error = "Kubernetes API: " + client.error();
        return result;
    }
    const std::string path = aws_auth ? kube::config_map_list_path(kube::kAwsAuthNamespace, kube::kAwsAuthName)
                                      : kube::identity_mapping_list_path();
    auto listed = net::run_blocking(io, list_objects(**client, path));
    io.stop();
    if (!listed) {
        result.error = (*client)->describe() + ": " + listed.error().reason;
        return result;
    }
    SourceContent content;
    if (aws_auth) {
        bool present = false;
        auto parsed = aws_auth_content(listed->objects, present);
        if (!parsed) {
            result.error = parsed.error();
            return result;
        }
        if (!present) result.problems.emplace_back("there is no aws-auth ConfigMap in kube-system");
        content = std::move(parsed).value();
    } else {
        content = identity_mapping_content(listed->objects);
    }
    for (std::string& warning : content.warnings) result.problems.push_back(std::move(warning));
    result.table = std::make_shared<const mapping::MappingTable>(
        mapping::MappingTable::build(std::move(content.config), spec.table_options, result.problems));
    return result;
}

}  // namespace aia::app
