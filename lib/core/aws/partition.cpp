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

constexpr std::array kPartitions = {
    Partition{"aws", "amazonaws.com", "api.aws", kAwsPrefixes},
    Partition{"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", kChinaPrefixes},
    Partition{"aws-us-gov", "amazonaws.com", "api.aws", kGovCloudPrefixes},
    Partition{"aws-iso", "c2s.ic.gov", "", kIsoPrefixes},
    Partition{"aws-iso-b", "sc2s.sgov.gov", "", kIsoBPrefixes},
    Partition{"aws-iso-e", "cloud.adc-e.uk", "", kIsoEPrefixes},
    Partition{"aws-iso-f", "csp.hci.ic.gov", "", kIsoFPrefixes},
    Partition{"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", kEuscPrefixes},
};

bool is_lower_alnum(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return ascii::is_lower(c) || ascii::is_digit(c); });
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

bool region_belongs_to(std::string_view region, const Partition& partition) {
    return std::any_of(partition.region_prefixes.begin(), partition.region_prefixes.end(),
                       [&](std::string_view prefix) { return matches_prefix(region, prefix); });
}

const Partition* partition_for_region(std::string_view region) {
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
