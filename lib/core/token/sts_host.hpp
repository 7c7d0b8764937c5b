#pragma once
// The STS host allow-list: the SSRF boundary of the authenticator.
//
// A token names the host we will connect to, so a host is accepted only if it
// is an STS endpoint of the configured partition:
//   sts.amazonaws.com                       global endpoint, partition "aws" only
//   sts.<region>.<domain>                   regional
//   sts-fips.<region>.<domain>              FIPS
//   sts[-fips].<region>.<dual-stack domain> dual-stack (IPv4 and IPv6)
// where <region> is named like a region of the partition ("<prefix>-<name>-<n>"
// with the partition's prefixes: "eu-west-1" in aws, "cn-north-1" in aws-cn),
// or is the server's own configured region. Ports, user-info, upper case,
// trailing dots, VPC endpoint names and S3-style names such as
// "sts.s3.amazonaws.com" (a bucket called "sts") all fail.

#include <string>
#include <string_view>

#include "core/aws/partition.hpp"
#include "core/token/token_error.hpp"
#include "core/util/result.hpp"

namespace aia::token {

using aws::Partition;

struct StsHost {
    std::string host;    // exactly as in the token, e.g. "sts.us-west-2.amazonaws.com"
    std::string region;  // region label from the host, or "global" for sts.amazonaws.com
};

inline constexpr std::string_view kGlobalStsHost = "sts.amazonaws.com";

// `own_region` is the server's region if known (may be empty): it is accepted
// even when its name does not follow the partition's pattern, so a region AWS
// launches after this build with a new prefix still works where the server
// itself runs. The caller vouches that it looks like a region.
Result<StsHost, TokenError> validate_sts_host(std::string_view host, const Partition& partition,
                                              std::string_view own_region);

}  // namespace aia::token
