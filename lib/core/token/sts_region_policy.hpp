#pragma once
// Which regions' STS endpoints a token may send us to.
//
// A token names the STS host we replay it to, and every distinct host costs
// a DNS lookup and a slot for an STS call before anything can refuse it. So
// a region is admitted only when
//   - this build knows it for the partition (the table in partition.cpp),
//   - it is the server's own region (server.region / --region), or
//   - the operator lists it in server.stsRegions / --sts-regions, for
//     regions AWS launched after this build;
// and everything else is refused offline, however region-like its name.
// The set is fixed at start, so it also bounds the StsRegion metric label.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/aws/partition.hpp"
#include "core/util/result.hpp"

namespace aia::token {

class StsRegionPolicy {
public:
    enum class Admission {
        Known,   // in this build's table for the partition
        Own,     // the server's own region
        Listed,  // named in server.stsRegions
    };

    // Fails, naming the setting, when the own region or a listed one is not
    // named like a region, or belongs to another partition.
    static Result<StsRegionPolicy, std::string> create(const aws::Partition& partition, std::string own_region,
                                                       std::vector<std::string> listed);

    // How `region` is admitted, or nullopt.
    std::optional<Admission> admits(std::string_view region) const;

    // Every admitted region (table, own, listed), each once, in that order.
    std::vector<std::string> admitted_regions() const;

    const aws::Partition& partition() const noexcept { return *partition_; }
    const std::string& own_region() const noexcept { return own_region_; }
    const std::vector<std::string>& listed() const noexcept { return listed_; }  // sorted, each once

private:
    StsRegionPolicy(const aws::Partition& partition, std::string own_region, std::vector<std::string> listed)
        : partition_(&partition), own_region_(std::move(own_region)), listed_(std::move(listed)) {}

    const aws::Partition* partition_;
    std::string own_region_;
    std::vector<std::string> listed_;  // sorted, each once
};

// The settings that admit a region, as an operator would write them.
inline constexpr std::string_view kStsRegionsSetting = "server.stsRegions (--sts-regions)";

}  // namespace aia::token
