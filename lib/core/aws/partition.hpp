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
    // Every region of the partition starts with this ("cn-", "us-gov-").
    // Empty for "aws", whose regions are all those no other partition claims.
    std::string_view region_prefix;
};

std::span<const Partition> all_partitions();

// nullptr when `id` is not a partition we know.
const Partition* find_partition(std::string_view id);

// True when `region` is named like a region of `partition`.
bool region_belongs_to(std::string_view region, const Partition& partition);

// The partition whose naming `region` follows ("aws" as the fallback).
const Partition& partition_for_region(std::string_view region);

// True for a syntactically valid region label, as the AWS SDKs check it:
// ^[[:alnum:]]([[:alnum:]-]*[[:alnum:]])?$
bool is_valid_region_label(std::string_view region);

}  // namespace aia::aws
