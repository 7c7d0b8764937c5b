#pragma once
// EC2 DescribeInstances over the Query API: the request body and the answer.
//
// Request (POST, application/x-www-form-urlencoded, SigV4-signed):
//   Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-...&InstanceId.2=i-...
// Answer (XML): reservationSet/item/instancesSet/item/{instanceId,
// privateDnsName, instanceState/name}. (Network interfaces nest their own
// privateDnsName deeper; only the instance's own is read.)

#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.hpp"

namespace aia::aws {

inline constexpr std::string_view kEc2ApiVersion = "2016-11-15";

std::string describe_instances_body(const std::vector<std::string>& instance_ids);

struct Ec2Instance {
    std::string instance_id;
    std::string private_dns_name;  // empty while pending or once terminated
    std::string state;             // pending, running, stopping, stopped, shutting-down, terminated
};

Result<std::vector<Ec2Instance>, std::string> parse_describe_instances(std::string_view body);

// The EC2 endpoint host of a region ("ec2.eu-west-1.amazonaws.com").
std::string ec2_host(std::string_view region);

}  // namespace aia::aws
