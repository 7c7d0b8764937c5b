#include "core/aws/partition.hpp"

#include <algorithm>
#include <array>

#include "core/util/ascii.hpp"

namespace aia::aws {
namespace {

// Region prefixes and domains as the AWS SDKs' partition table lists them.
constexpr std::array<std::string_view, 9> kAwsPrefixes = {"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"};
constexpr std::array<std::string_view, 1> kChinaPrefixes = {"cn"};
constexpr std::array<std::string_view, 1> kGovCloudPrefixes = {"us-gov"};
constexpr std::array<std::string_view, 1> kIsoPrefixes = {"us-iso"};
constexpr std::array<std::string_view, 1> kIsoBPrefixes = {"us-isob"};
constexpr std::array<std::string_view, 1> kIsoEPrefixes = {"eu-isoe"};
constexpr std::array<std::string_view, 1> kIsoFPrefixes = {"us-isof"};
constexpr std::array<std::string_view, 1> kEuscPrefixes = {"eusc-de"};

// The regions, from AWS's published region list (December 2026). Debian's
// botocore data is older than several of them (ap-east-2, ap-southeast-5..7,
// mx-central-1, us-isob-west-1, the aws-iso-f and aws-eusc regions...): this
// list is kept by hand. A region missing here locks its users out until an
// operator lists it in server.stsRegions, so add new regions as AWS
// launches them (tests/unit/aws/partition_test.cpp names every one).
constexpr std::array<std::string_view, 34> kAwsRegions = {
    "af-south-1",     "ap-east-1",      "ap-east-2",      "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",   "ca-west-1",      "eu-central-1",
    "eu-central-2",   "eu-north-1",     "eu-south-1",     "eu-south-2",     "eu-west-1",      "eu-west-2",
    "eu-west-3",      "il-central-1",   "me-central-1",   "me-south-1",     "mx-central-1",   "sa-east-1",
    "us-east-1",      "us-east-2",      "us-west-1",      "us-west-2",
};
constexpr std::array<std::string_view, 2> kChinaRegions = {"cn-north-1", "cn-northwest-1"};
constexpr std::array<std::string_view, 2> kGovCloudRegions = {"us-gov-east-1", "us-gov-west-1"};
constexpr std::array<std::string_view, 2> kIsoRegions = {"us-iso-east-1", "us-iso-west-1"};
constexpr std::array<std::string_view, 2> kIsoBRegions = {"us-isob-east-1", "us-isob-west-1"};
constexpr std::array<std::string_view, 1> kIsoERegions = {"eu-isoe-west-1"};
constexpr std::array<std::string_view, 2> kIsoFRegions = {"us-isof-east-1", "us-isof-south-1"};
constexpr std::array<std::string_view, 1> kEuscRegions = {"eusc-de-east-1"};

constexpr std::array kPartitions = {
    Partition{"aws", "amazonaws.com", "api.aws", kAwsPrefixes, kAwsRegions},
    Partition{"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", kChinaPrefixes, kChinaRegions},
    Partition{"aws-us-gov", "amazonaws.com", "api.aws", kGovCloudPrefixes, kGovCloudRegions},
    Partition{"aws-iso", "c2s.ic.gov", "", kIsoPrefixes, kIsoRegions},
    Partition{"aws-iso-b", "sc2s.sgov.gov", "", kIsoBPrefixes, kIsoBRegions},
    Partition{"aws-iso-e", "cloud.adc-e.uk", "", kIsoEPrefixes, kIsoERegions},
    Partition{"aws-iso-f", "csp.hci.ic.gov", "", kIsoFPrefixes, kIsoFRegions},
    Partition{"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", kEuscPrefixes, kEuscRegions},
};

bool is_lower_alnum(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return ascii::is_lower(c) || ascii::is_digit(c); });
}

// "<prefix>-<name>-<number>": the SDKs' ^<prefix>\-\w+\-\d+$ for DNS labels.
bool matches_prefix(std::string_view region, std::string_view prefix) {
    if (!region.starts_with(prefix) || region.size() <= prefix.size() || region[prefix.size()] != '-') return false;
    const std::string_view rest = region.substr(prefix.size() + 1);
    const std::size_t dash = rest.find('-');
    if (dash == std::string_view::npos) return false;
    return is_lower_alnum(rest.substr(0, dash)) && ascii::all_of_digits(rest.substr(dash + 1));
}

}  // namespace

std::span<const Partition> all_partitions() { return kPartitions; }

const Partition* find_partition(std::string_view id) {
    for (const Partition& partition : kPartitions) {
        if (partition.id == id) return &partition;
    }
    return nullptr;
}

bool is_known_region(std::string_view region, const Partition& partition) {
    return std::find(partition.regions.begin(), partition.regions.end(), region) != partition.regions.end();
}

bool region_belongs_to(std::string_view region, const Partition& partition) {
    return std::any_of(partition.region_prefixes.begin(), partition.region_prefixes.end(),
                       [&](std::string_view prefix) { return matches_prefix(region, prefix); });
}

const Partition* partition_for_region(std::string_view region) {
    for (const Partition& partition : kPartitions) {
        if (is_known_region(region, partition)) return &partition;
    }
    for (const Partition& partition : kPartitions) {
        if (region_belongs_to(region, partition)) return &partition;
    }
    return nullptr;
}

bool is_valid_region_label(std::string_view region) {
    if (region.empty() || !ascii::is_alnum(region.front()) || !ascii::is_alnum(region.back())) return false;
    for (char c : region) {
        if (!ascii::is_alnum(c) && c != '-') return false;
    }
    return true;
}

bool looks_like_region(std::string_view region) {
    const std::size_t first_dash = region.find('-');
    const std::size_t last_dash = region.rfind('-');
    if (first_dash == std::string_view::npos || first_dash == last_dash) return false;
    const std::string_view head = region.substr(0, first_dash);
    if (head.empty() || !std::all_of(head.begin(), head.end(), ascii::is_lower)) return false;
    if (!ascii::all_of_digits(region.substr(last_dash + 1))) return false;
    std::string_view middle = region.substr(first_dash + 1, last_dash - first_dash - 1);
    while (true) {
        const std::size_t dash = middle.find('-');
        if (!is_lower_alnum(middle.substr(0, dash))) return false;
        if (dash == std::string_view::npos) return true;
        middle.remove_prefix(dash + 1);
    }
}

}  // namespace aia::aws
