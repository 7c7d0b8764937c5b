#pragma once
// The STS host allow-list: the SSRF boundary of the authenticator.
//
// A token names the host we will connect to, so a host is accepted only if it
// is an STS endpoint of the configured partition:
//   sts.amazonaws.com                       global endpoint, partition "aws" only
//   sts.<region>.<domain>                   regional
//   sts-fips.<region>.<domain>              FIPS
//   sts[-fips].<region>.<dual-stack domain> dual-stack (IPv4 and IPv6)
// where <region> is one the region policy admits (see sts_region_policy.hpp):
// known to this build for the partition, the server's own, or listed by the
// operator. A region-shaped name it does not admit ("us-zz123-4") fails with
// UnknownRegion, naming the setting that would admit it. Ports, user-info,
// upper case, trailing dots, VPC endpoint names and S3-style names such as
// "sts.s3.amazonaws.com" (a bucket called "sts") all fail.

#include <string>
#include <string_view>

#include "core/aws/partition.hpp"
#include "core/token/sts_region_policy.hpp"
#include "core/token/token_error.hpp"
#include "core/util/result.hpp"

namespace aia::token {

using aws::Partition;

struct StsHost {
    std::string host;    // exactly as in the token, e.g. "sts.us-west-2.amazonaws.com"
    std::string region;  // region label from the host, or "global" for sts.amazonaws.com
};

inline constexpr std::string_view kGlobalStsHost = "sts.amazonaws.com";

Result<StsHost, TokenError> validate_sts_host(std::string_view host, const StsRegionPolicy& regions);

}  // namespace aia::token
