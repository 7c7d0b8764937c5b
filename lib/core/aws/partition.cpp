#include "core/aws/partition.hpp"

#include <array>

#include "core/util/ascii.hpp"

namespace aia::aws {
namespace {

// Domains as the AWS SDKs' endpoint rules list them.
constexpr std::array kPartitions = {
    Partition{"aws", "amazonaws.com", "api.aws", ""},
    Partition{"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", "cn-"},
    Partition{"aws-us-gov", "amazonaws.com", "api.aws", "us-gov-"},
    Partition{"aws-iso", "c2s.ic.gov", "", "us-iso-"},
    Partition{"aws-iso-b", "sc2s.sgov.gov", "", "us-isob-"},
    Partition{"aws-iso-e", "cloud.adc-e.uk", "", "eu-isoe-"},
    Partition{"aws-iso-f", "csp.hci.ic.gov", "", "us-isof-"},
    Partition{"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", "eusc-"},
};

}  // namespace

std::span<const Partition> all_partitions() { return kPartitions; }

const Partition* find_partition(std::string_view id) {
    for (const Partition& partition : kPartitions) {
        if (partition.id == id) return &partition;
    }
    return nullptr;
}

const Partition& partition_for_region(std::string_view region) {
    for (const Partition& partition : kPartitions) {
        if (!partition.region_prefix.empty() && region.starts_with(partition.region_prefix)) return partition;
    }
    return kPartitions[0];
}

bool region_belongs_to(std::string_view region, const Partition& partition) {
    return partition_for_region(region).id == partition.id;
}

bool is_valid_region_label(std::string_view region) {
    if (region.empty() || !ascii::is_alnum(region.front()) || !ascii::is_alnum(region.back())) return false;
    for (char c : region) {
        if (!ascii::is_alnum(c) && c != '-') return false;
    }
    return true;
}

}  // namespace aia::aws
