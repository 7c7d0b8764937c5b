#pragma once
// The documents AWS hands credentials out in:
//   STS AssumeRole / AssumeRoleWithWebIdentity (XML):
//     <AssumeRoleResult><Credentials><AccessKeyId/><SecretAccessKey/>
//       <SessionToken/><Expiration>2026-11-23T18:00:00Z</Expiration>...
//   EC2 instance metadata and ECS / EKS Pod Identity container endpoints (JSON):
//     {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}

#include <string>
#include <string_view>

#include "core/aws/aws_credentials.hpp"
#include "core/util/result.hpp"

namespace aia::aws {

Result<AwsCredentials, std::string> parse_sts_credentials_xml(std::string_view body);

Result<AwsCredentials, std::string> parse_credentials_json(std::string_view body);

}  // namespace aia::aws
