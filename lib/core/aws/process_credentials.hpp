#pragma once
// What a profile's credential_process must print on stdout, as the AWS SDKs
// define it:
//   {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...",
//    "SessionToken": "..." (optional), "Expiration": "2026-12-04T19:00:00Z" (optional)}
// Without Expiration the credentials are long-lived.

#include <string>
#include <string_view>

#include "core/aws/aws_credentials.hpp"
#include "core/util/amz_time.hpp"
#include "core/util/result.hpp"

namespace aia::aws {

// Errors say what is wrong with the document, never what it holds.
Result<AwsCredentials, std::string> parse_process_credentials(std::string_view output, amz_time::Seconds now);

}  // namespace aia::aws
