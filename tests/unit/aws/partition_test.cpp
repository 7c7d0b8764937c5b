#include <catch2/catch.hpp>

#include <vector>

#include "core/aws/partition.hpp"

using namespace aia::aws;

TEST_CASE("every partition is known with its domains", "[partition]") {
    CHECK(all_partitions().size() == 8);
    CHECK(find_partition("aws")->domain == "amazonaws.com");
    CHECK(find_partition("aws")->dual_stack_domain == "api.aws");
    CHECK(find_partition("aws-cn")->domain == "amazonaws.com.cn");
    CHECK(find_partition("aws-cn")->dual_stack_domain == "api.amazonwebservices.com.cn");
    CHECK(find_partition("aws-us-gov")->domain == "amazonaws.com");
    CHECK(find_partition("aws-iso")->domain == "c2s.ic.gov");
    CHECK(find_partition("aws-iso-b")->domain == "sc2s.sgov.gov");
    CHECK(find_partition("aws-iso-e")->domain == "cloud.adc-e.uk");
    CHECK(find_partition("aws-iso-f")->domain == "csp.hci.ic.gov");
    CHECK(find_partition("aws-iso-f")->dual_stack_domain.empty());
    CHECK(find_partition("aws-eusc")->domain == "amazonaws.eu");
    CHECK(find_partition("AWS") == nullptr);
    CHECK(find_partition("") == nullptr);
}

TEST_CASE("regions belong to the partition their name says", "[partition]") {
    CHECK(partition_for_region("us-east-1")->id == "aws");
    CHECK(partition_for_region("eu-west-3")->id == "aws");
    CHECK(partition_for_region("cn-north-1")->id == "aws-cn");
    CHECK(partition_for_region("us-gov-west-1")->id == "aws-us-gov");
    CHECK(partition_for_region("us-iso-east-1")->id == "aws-iso");
    CHECK(partition_for_region("us-isob-east-1")->id == "aws-iso-b");
    CHECK(partition_for_region("eu-isoe-west-1")->id == "aws-iso-e");
    CHECK(partition_for_region("us-isof-south-1")->id == "aws-iso-f");
    CHECK(partition_for_region("eusc-de-east-1")->id == "aws-eusc");
    CHECK(region_belongs_to("us-west-2", *find_partition("aws")));
    CHECK_FALSE(region_belongs_to("us-gov-east-1", *find_partition("aws")));
    CHECK_FALSE(region_belongs_to("us-west-2", *find_partition("aws-cn")));
}

TEST_CASE("only region-shaped names are regions", "[partition]") {
    // S3's virtual-hosted names look like "sts.<label>.amazonaws.com" too.
    for (const char* not_a_region : {"s3", "s3-accelerate", "s3-us-west-2", "execute-api", "not-a-region", "us-east",
                                     "us-east-1a", "xx-east-1", "us--1", "us-east-", "cn-north"}) {
        INFO(not_a_region);
        CHECK(partition_for_region(not_a_region) == nullptr);
    }
    CHECK(region_belongs_to("il-central-1", *find_partition("aws")));
    CHECK(region_belongs_to("ap-southeast-7", *find_partition("aws")));
    CHECK(region_belongs_to("us-gov-west-1", *find_partition("aws-us-gov")));
    CHECK_FALSE(region_belongs_to("us-gov-west-1", *find_partition("aws-iso")));
}

TEST_CASE("the shape of a region name, whatever its prefix", "[partition]") {
    for (const char* good : {"us-east-1", "xx-newplace-12", "eusc-de-east-1", "ab-c1-d2-3"}) {
        INFO(good);
        CHECK(looks_like_region(good));
    }
    for (const char* bad :
         {"", "s3", "s3-us-west-2", "us-east", "us-1", "-east-1", "us-east-x", "US-east-1", "us_x-east-1", "us--1"}) {
        INFO(bad);
        CHECK_FALSE(looks_like_region(bad));
    }
}

TEST_CASE("region labels are validated as the SDKs do", "[partition]") {
    for (const char* good : {"us-east-1", "a", "A1", "not-a-region", "x-9"}) {
        INFO(good);
        CHECK(is_valid_region_label(good));
    }
    for (const char* bad : {"", "-us", "us-", "us_east", "us.east", "us east", "us/1"}) {
        INFO(bad);
        CHECK_FALSE(is_valid_region_label(bad));
    }
}

TEST_CASE("every partition's table names every region AWS has launched", "[partition][regions]") {
    // AWS's published region list, by hand: Debian's botocore data is older
    // than several of these. A region missing from the table locks its users
    // out until an operator lists it in server.stsRegions.
    const std::vector<std::pair<std::string_view, std::vector<std::string_view>>> expected = {
        {"aws",
         {"af-south-1",     "ap-east-1",      "ap-east-2",      "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
          "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
          "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",   "ca-west-1",      "eu-central-1",
          "eu-central-2",   "eu-north-1",     "eu-south-1",     "eu-south-2",     "eu-west-1",      "eu-west-2",
          "eu-west-3",      "il-central-1",   "me-central-1",   "me-south-1",     "mx-central-1",   "sa-east-1",
          "us-east-1",      "us-east-2",      "us-west-1",      "us-west-2"}},
        {"aws-cn", {"cn-north-1", "cn-northwest-1"}},
        {"aws-us-gov", {"us-gov-east-1", "us-gov-west-1"}},
        {"aws-iso", {"us-iso-east-1", "us-iso-west-1"}},
        {"aws-iso-b", {"us-isob-east-1", "us-isob-west-1"}},
        {"aws-iso-e", {"eu-isoe-west-1"}},
        {"aws-iso-f", {"us-isof-east-1", "us-isof-south-1"}},
        {"aws-eusc", {"eusc-de-east-1"}},
    };
    REQUIRE(expected.size() == all_partitions().size());
    for (const auto& [id, regions] : expected) {
        INFO(id);
        const Partition& partition = *find_partition(id);
        CHECK(std::vector<std::string_view>(partition.regions.begin(), partition.regions.end()) == regions);
        for (std::string_view region : regions) {
            INFO(region);
            CHECK(is_known_region(region, partition));
            CHECK(partition_for_region(region) == &partition);  // by table, and by name
            CHECK(region_belongs_to(region, partition));
            CHECK(looks_like_region(region));
            for (const Partition& other : all_partitions()) {
                if (&other != &partition) CHECK_FALSE(is_known_region(region, other));
            }
        }
    }
    for (const char* invented : {"us-zz123-4", "eu-west-4", "ap-southeast-8", "cn-south-1", "us-gov-central-1", ""}) {
        INFO(invented);
        CHECK_FALSE(is_known_region(invented, *find_partition("aws")));
        CHECK_FALSE(is_known_region(invented, *find_partition("aws-cn")));
    }
}
