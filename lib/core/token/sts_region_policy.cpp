#include "core/token/sts_region_policy.hpp"

#include <algorithm>

#include "core/util/quote.hpp"

namespace aia::token {
namespace {

// A region we are told about must look like one and must not be another
// partition's: it widens the host allow-list.
std::optional<std::string> region_problem(std::string_view region, const aws::Partition& partition) {
    if (!aws::looks_like_region(region)) return quote(region) + " is not named like an AWS region";
    const aws::Partition* owner = aws::partition_for_region(region);
    if (owner != nullptr && owner != &partition) {
        return quote(region) + " is a region of partition " + std::string(owner->id) + ", not " +
               std::string(partition.id);
    }
    return std::nullopt;
}

}  // namespace

Result<StsRegionPolicy, std::string> StsRegionPolicy::create(const aws::Partition& partition, std::string own_region,
                                                             std::vector<std::string> listed) {
    if (!own_region.empty()) {
        if (auto problem = region_problem(own_region, partition)) {
            return fail("config key server.region (--region): " + *problem);
        }
    }
    for (const std::string& region : listed) {
        if (auto problem = region_problem(region, partition)) {
            return fail("config key server.stsRegions (--sts-regions): " + *problem);
        }
    }
    // Sorted for lookups: an operator may list many.
    std::sort(listed.begin(), listed.end());
    listed.erase(std::unique(listed.begin(), listed.end()), listed.end());
    return StsRegionPolicy(partition, std::move(own_region), std::move(listed));
}

std::optional<StsRegionPolicy::Admission> StsRegionPolicy::admits(std::string_view region) const {
    if (aws::is_known_region(region, *partition_)) return Admission::Known;
    if (!own_region_.empty() && region == own_region_) return Admission::Own;
    if (std::binary_search(listed_.begin(), listed_.end(), region)) return Admission::Listed;
    return std::nullopt;
}

std::vector<std::string> StsRegionPolicy::admitted_regions() const {
    std::vector<std::string> out(partition_->regions.begin(), partition_->regions.end());
    const auto add = [&out](const std::string& region) {
        if (std::find(out.begin(), out.end(), region) == out.end()) out.push_back(region);
    };
    if (!own_region_.empty()) add(own_region_);
    for (const std::string& region : listed_) add(region);
    return out;
}

}  // namespace aia::token
