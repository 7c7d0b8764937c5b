#pragma once
// Offline validation of a "k8s-aws-v1." bearer token.
//
// Usage:
//   auto validator = TokenValidator::create({.cluster_id = "prod", .partition = "aws"});
//   auto request = validator->validate(token, now);   // no I/O
//   if (!request) deny(request.error().message());
//   else           replay request->url() to STS with x-k8s-aws-id: request->cluster_id
//
// Every check that can be made without STS is made here, so that a request
// only goes out to an allow-listed STS host with a well-formed, unexpired,
// cluster-bound presigned GetCallerIdentity URL. STS then checks the
// signature, which covers the x-k8s-aws-id header we send.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/aws/partition.hpp"
#include "core/token/presigned_request.hpp"
#include "core/token/sts_region_policy.hpp"
#include "core/token/token_error.hpp"
#include "core/util/amz_time.hpp"
#include "core/util/result.hpp"

namespace aia::token {

using aws::Partition;

inline constexpr std::string_view kTokenPrefix = "k8s-aws-v1.";
inline constexpr std::string_view kClusterIdHeader = "x-k8s-aws-id";
// Upstream's cap; real tokens are under 2 KiB even with a long session token.
inline constexpr std::size_t kMaxTokenBytes = 4096;
// STS honours a presigned GetCallerIdentity URL for 15 minutes after
// X-Amz-Date, whatever X-Amz-Expires says.
inline constexpr std::chrono::minutes kTokenLifetime{15};
inline constexpr int kMaxExpiresSeconds = 900;

struct VerifierSettings {
    std::string cluster_id;                // required; sent to STS as x-k8s-aws-id
    std::string partition = "aws";         // which STS hosts are acceptable
    std::string region;                    // the server's own region, if known (see sts_region_policy.hpp)
    std::vector<std::string> sts_regions;  // server.stsRegions: regions newer than this build
    // How far X-Amz-Date may lie in the future. STS refuses such tokens
    // anyway; refusing them here saves the round trip.
    std::chrono::seconds max_clock_skew{std::chrono::minutes{5}};
};

class TokenValidator {
public:
    // Fails with a reason when the settings are unusable (empty cluster ID,
    // unknown partition, malformed region, negative skew); the reason names
    // the setting.
    static Result<TokenValidator, std::string> create(VerifierSettings settings);

    Result<PresignedRequest, TokenError> validate(std::string_view token, amz_time::Seconds now) const;

    // validate()'s time checks alone: whether a token signed at `signed_at`
    // (its X-Amz-Date) is neither expired nor too far in the future at `now`.
    // For a token that passed every check before and may have aged since.
    bool within_window(amz_time::Seconds signed_at, amz_time::Seconds now) const;

    const VerifierSettings& settings() const noexcept { return settings_; }
    const Partition& partition() const noexcept { return regions_.partition(); }
    const StsRegionPolicy& region_policy() const noexcept { return regions_; }

private:
    TokenValidator(VerifierSettings settings, StsRegionPolicy regions)
        : settings_(std::move(settings)), regions_(std::move(regions)) {}

    VerifierSettings settings_;
    StsRegionPolicy regions_;
};

}  // namespace aia::token
