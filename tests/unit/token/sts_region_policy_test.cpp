// The region policy: which regions' STS hosts a token may name.

#include <catch2/catch.hpp>

#include "core/token/sts_region_policy.hpp"

using namespace aia;
using token::StsRegionPolicy;
using Admission = StsRegionPolicy::Admission;

namespace {

const aws::Partition& partition(std::string_view id) { return *aws::find_partition(id); }

}  // namespace

TEST_CASE("known, own and listed regions are admitted, nothing else", "[region-policy]") {
    auto created = StsRegionPolicy::create(partition("aws"), "xx-newplace-1", {"us-zz1-2", "eu-north-9", "us-zz1-2"});
    REQUIRE(created.ok());
    const StsRegionPolicy& policy = *created;
    CHECK(policy.admits("us-west-2") == Admission::Known);
    CHECK(policy.admits("mx-central-1") == Admission::Known);
    CHECK(policy.admits("xx-newplace-1") == Admission::Own);
    CHECK(policy.admits("us-zz1-2") == Admission::Listed);
    CHECK(policy.admits("eu-north-9") == Admission::Listed);
    for (const char* refused : {"us-zz1-3", "eu-north-8", "cn-north-1", "us-gov-west-1", "", "global", "US-WEST-2"}) {
        INFO(refused);
        CHECK_FALSE(policy.admits(refused));
    }
    CHECK(policy.listed() == std::vector<std::string>{"eu-north-9", "us-zz1-2"});  // sorted, each once

    const std::vector<std::string> labels = policy.admitted_regions();
    CHECK(labels.size() == partition("aws").regions.size() + 3);
    CHECK(labels.front() == "af-south-1");
    CHECK(std::count(labels.begin(), labels.end(), "xx-newplace-1") == 1);
    CHECK(std::count(labels.begin(), labels.end(), "us-zz1-2") == 1);
}

TEST_CASE("each partition admits its own regions only", "[region-policy]") {
    for (const aws::Partition& p : aws::all_partitions()) {
        auto policy = StsRegionPolicy::create(p, "", {});
        REQUIRE(policy.ok());
        for (const aws::Partition& q : aws::all_partitions()) {
            for (std::string_view region : q.regions) {
                INFO(p.id << " " << region);
                CHECK(policy->admits(region).has_value() == (&p == &q));
            }
        }
    }
}

TEST_CASE("own and listed regions must look like regions of the partition", "[region-policy]") {
    for (const char* bad : {"us_east_1", "s3", "s3-accelerate", "not-a-region", "US-EAST-1"}) {
        INFO(bad);
        CHECK(StsRegionPolicy::create(partition("aws"), bad, {}).error() ==
              "config key server.region (--region): \"" + std::string(bad) + "\" is not named like an AWS region");
        CHECK(StsRegionPolicy::create(partition("aws"), "", {"eu-west-1", bad}).error() ==
              "config key server.stsRegions (--sts-regions): \"" + std::string(bad) +
                  "\" is not named like an AWS region");
    }
    CHECK(StsRegionPolicy::create(partition("aws"), "cn-north-1", {}).error() ==
          "config key server.region (--region): \"cn-north-1\" is a region of partition aws-cn, not aws");
    CHECK(
        StsRegionPolicy::create(partition("aws"), "", {"us-gov-west-1"}).error() ==
        "config key server.stsRegions (--sts-regions): \"us-gov-west-1\" is a region of partition aws-us-gov, not aws");
    CHECK(StsRegionPolicy::create(partition("aws-cn"), "", {"us-west-2"}).error() ==
          "config key server.stsRegions (--sts-regions): \"us-west-2\" is a region of partition aws, not aws-cn");
    // A region named like the partition's, or with a prefix nobody uses yet.
    CHECK(StsRegionPolicy::create(partition("aws-cn"), "", {"cn-south-1", "xx-newplace-1"}).ok());
}
