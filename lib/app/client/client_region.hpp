#pragma once
// The region `token` works in (its STS endpoint and AssumeRole calls), found
// as upstream v0.7 finds it: --region, then the SDK's (AWS_REGION,
// AWS_DEFAULT_REGION, the profile's region), then instance metadata, then
// us-east-1. Instance metadata is asked only when nothing else names a
// region, and not at all under AWS_EC2_METADATA_DISABLED=true.

#include <string>

#include "app/aws/aws_environment.hpp"

namespace aia::app {

inline constexpr const char* kFallbackRegion = "us-east-1";

std::string client_region(const AwsEnvironment& environment, const std::string& flag);

}  // namespace aia::app
