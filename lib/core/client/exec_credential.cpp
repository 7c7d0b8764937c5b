#include "core/client/exec_credential.hpp"

#include <array>

#include <nlohmann/json.hpp>

#include "core/util/json_depth.hpp"

namespace aia::client {
namespace {

constexpr std::array<std::string_view, 3> kKnownVersions = {
    "client.authentication.k8s.io/v1alpha1", "client.authentication.k8s.io/v1beta1", "client.authentication.k8s.io/v1"};

constexpr std::size_t kMaxExecInfoBytes = 64 * 1024;

}  // namespace

Result<std::string, std::string> exec_api_version(std::string_view exec_info) {
    if (exec_info.empty()) return std::string(kDefaultExecApiVersion);
    // Not an ExecCredential (kubectl always sends one): the default, as upstream.
    if (exec_info.size() > kMaxExecInfoBytes || !json_depth::within(exec_info, 32))
        return std::string(kDefaultExecApiVersion);
    const nlohmann::json info = nlohmann::json::parse(exec_info, nullptr, false);
    if (info.is_discarded() || !info.is_object()) return std::string(kDefaultExecApiVersion);
    const auto version = info.find("apiVersion");
    if (version == info.end() || !version->is_string()) return std::string(kDefaultExecApiVersion);
    const std::string asked = version->get<std::string>();
    for (const std::string_view known : kKnownVersions) {
        if (asked == known) return asked;
    }
    return fail("KUBERNETES_EXEC_INFO asks for apiVersion \"" + asked +
                "\"; this build answers client.authentication.k8s.io/v1alpha1, v1beta1 or v1");
}

std::string render_exec_credential(std::string_view api_version, std::string_view token, amz_time::Seconds expiration) {
    nlohmann::ordered_json credential;
    credential["kind"] = "ExecCredential";
    credential["apiVersion"] = api_version;
    credential["spec"] = {{"interactive", false}};
    credential["status"] = {{"expirationTimestamp", amz_time::format_rfc3339(expiration)}, {"token", token}};
    return credential.dump();
}

}  // namespace aia::client
