#pragma once
// AWS partitions: the separate AWS "worlds", each with its own DNS domain,
// regions and account namespace. A cluster lives in exactly one.

#include <span>
#include <string_view>

namespace aia::aws {

struct Partition {
    std::string_view id;                 // "aws", "aws-cn", ...: the second field of an ARN
    std::string_view domain;             // regional endpoints: sts.<region>.<domain>
    std::string_view dual_stack_domain;  // IPv4+IPv6 endpoints; empty where the partition has none
    // The partition's regions are named "<prefix>-<name>-<number>" with one of
    // these prefixes, as the AWS SDKs' partition table says ("us", "eu", ...
    // in aws; "cn" in aws-cn; "us-gov" in aws-us-gov).
    std::span<const std::string_view> region_prefixes;
    // Every region the partition has as this build knows it (AWS's published
    // region list): the regions whose STS endpoints a token may name.
    std::span<const std::string_view> regions;
};

std::span<const Partition> all_partitions();

// nullptr when `id` is not a partition we know.
const Partition* find_partition(std::string_view id);

// True when `region` is in the partition's table of regions.
bool is_known_region(std::string_view region, const Partition& partition);

// True when `region` is named like a region of `partition`
// (e.g. "eu-west-1" in aws, "cn-north-1" in aws-cn; "s3" nowhere).
bool region_belongs_to(std::string_view region, const Partition& partition);

// The partition whose table holds `region`, else whose naming it follows;
// nullptr if none.
const Partition* partition_for_region(std::string_view region);

// True for a syntactically valid region label, as the AWS SDKs check it:
// ^[[:alnum:]]([[:alnum:]-]*[[:alnum:]])?$
bool is_valid_region_label(std::string_view region);

// True when `region` has the general shape of an AWS region name,
// "<letters>-<name>...-<number>", whatever its prefix: the check for a
// region we are told about (our own) rather than one a token names.
bool looks_like_region(std::string_view region);

}  // namespace aia::aws
