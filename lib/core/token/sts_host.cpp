#include "core/token/sts_host.hpp"

#include <vector>

#include "core/util/ascii.hpp"
#include "core/util/quote.hpp"
#include "core/util/split.hpp"

namespace aia::token {
namespace {

TokenError host_error(std::string detail) { return {TokenErrorCode::UnexpectedHost, std::move(detail)}; }

bool is_dns_label(std::string_view label) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
        if (!ascii::is_lower(c) && !ascii::is_digit(c) && c != '-') return false;
    }
    return true;
}

}  // namespace

Result<StsHost, TokenError> validate_sts_host(std::string_view host, const StsRegionPolicy& regions) {
    const Partition& partition = regions.partition();
    // The host is attacker-chosen: quoted and capped wherever it is echoed.
    const auto unparsable = [&](std::string_view why) {
        return host_error("could not parse region for pre-signed URL " + quote(host, 256) + ", " + std::string(why));
    };
    const auto unexpected = [&] {
        return host_error("unexpected hostname " + quote(host, 256) + " in pre-signed URL");
    };
    const auto wrong_partition = [&] {
        return host_error("partition {" + std::string(partition.id) + "} does not support hostname " +
                          quote(host, 256));
    };

    if (host.empty()) return fail(unparsable("host is empty"));
    const std::vector<std::string_view> labels = split(host, '.');
    if (labels.size() < 3) return fail(unparsable("invalid host format"));

    if (host == kGlobalStsHost) {
        if (partition.id != "aws")
            return fail(host_error("global endpoint unsupported in partition " + std::string(partition.id)));
        return StsHost{std::string(host), "global"};
    }

    const std::string_view service = labels[0];
    const std::string_view region = labels[1];
    if (service != "sts" && service != "sts-fips") return fail(unexpected());
    if (!aws::is_valid_region_label(region)) {
        return fail(host_error("invalid region identifier format provided: " + quote(region)));
    }
    // Lower-case DNS labels only: no upper case, no empty labels (a trailing dot).
    for (std::string_view label : labels) {
        if (!is_dns_label(label)) return fail(unexpected());
    }

    const std::string_view domain = host.substr(service.size() + 1 + region.size() + 1);
    const bool known_domain =
        domain == partition.domain || (!partition.dual_stack_domain.empty() && domain == partition.dual_stack_domain);
    if (!known_domain) return fail(wrong_partition());
    if (regions.admits(region)) return StsHost{std::string(host), std::string(region)};

    // Region-shaped names only: "sts.s3.amazonaws.com" is an S3 bucket, not
    // STS, and another partition's region is not ours.
    const Partition* owner = aws::partition_for_region(region);
    if (!aws::looks_like_region(region) || (owner != nullptr && owner != &partition)) return fail(wrong_partition());
    return fail(TokenError{TokenErrorCode::UnknownRegion,
                           "unexpected hostname " + quote(host, 256) + " in pre-signed URL: region " + quote(region) +
                               " is not one this build knows in partition " + std::string(partition.id) +
                               "; if AWS has launched it, list it in " + std::string(kStsRegionsSetting)});
}

}  // namespace aia::token
