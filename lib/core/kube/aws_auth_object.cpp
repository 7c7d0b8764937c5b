#include "core/kube/aws_auth_object.hpp"

namespace aia::kube {

using mapping::AwsAuthError;
using nlohmann::json;

Result<std::map<std::string, std::string>, AwsAuthError> config_map_data(const json& object) {
    if (!object.is_object()) return fail(AwsAuthError{"object", "is not a JSON object"});
    const auto kind = object.find("kind");
    if (kind != object.end() && (!kind->is_string() || kind->get_ref<const std::string&>() != "ConfigMap")) {
        return fail(AwsAuthError{"object", "kind is not ConfigMap"});
    }
    std::map<std::string, std::string> data;
    const auto node = object.find("data");
    if (node == object.end() || node->is_null()) return data;
    if (!node->is_object()) return fail(AwsAuthError{"data", "is not an object"});
    for (const auto& [key, value] : node->items()) {
        if (!value.is_string()) return fail(AwsAuthError{"data." + key, "is not a string"});
        data.emplace(key, value.get<std::string>());
    }
    return data;
}

Result<mapping::AwsAuthContent, AwsAuthError> parse_aws_auth_object(const json& object) {
    auto data = config_map_data(object);
    if (!data) return fail(data.error());
    return mapping::parse_aws_auth_data(*data);
}

}  // namespace aia::kube
