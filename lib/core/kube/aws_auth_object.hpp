#pragma once
// The aws-auth ConfigMap as the API sends it (JSON), fed to the same parser
// as a mounted or manifest ConfigMap (core/mapping/aws_auth.hpp), so every
// source reads mapRoles / mapUsers / mapAccounts alike.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/mapping/aws_auth.hpp"
#include "core/util/result.hpp"

namespace aia::kube {

inline constexpr std::string_view kAwsAuthNamespace = "kube-system";
inline constexpr std::string_view kAwsAuthName = "aws-auth";

// The object's data as strings; kind must be ConfigMap when given. A
// missing or null data is empty (a ConfigMap without entries).
Result<std::map<std::string, std::string>, mapping::AwsAuthError> config_map_data(const nlohmann::json& object);

// config_map_data, then mapping::parse_aws_auth_data.
Result<mapping::AwsAuthContent, mapping::AwsAuthError> parse_aws_auth_object(const nlohmann::json& object);

}  // namespace aia::kube
