// The STS host allow-list is the SSRF boundary: every host here is either an
// STS endpoint of the partition or refused before any connection.

#include <catch2/catch.hpp>

#include "core/token/sts_host.hpp"

using namespace aia;
using token::validate_sts_host;

namespace {

token::StsRegionPolicy policy(std::string_view partition_id, std::string own_region = "",
                              std::vector<std::string> listed = {}) {
    auto created =
        token::StsRegionPolicy::create(*aws::find_partition(partition_id), std::move(own_region), std::move(listed));
    REQUIRE(created.ok());
    return std::move(created).value();
}

std::string region_of(std::string_view host, std::string_view partition_id, std::string own_region = "",
                      std::vector<std::string> listed = {}) {
    const auto result = validate_sts_host(host, policy(partition_id, std::move(own_region), std::move(listed)));
    if (!result) FAIL_CHECK(host << " refused: " << result.error().detail);
    return result ? result->region : "";
}

std::string refusal(std::string_view host, std::string_view partition_id, std::string own_region = "",
                    token::TokenErrorCode code = token::TokenErrorCode::UnexpectedHost) {
    const auto result = validate_sts_host(host, policy(partition_id, std::move(own_region)));
    if (result) {
        FAIL_CHECK(host << " accepted");
        return "";
    }
    CHECK(result.error().code == code);
    return result.error().detail;
}

std::string unknown_region(std::string_view host, std::string_view partition_id) {
    return refusal(host, partition_id, "", token::TokenErrorCode::UnknownRegion);
}

}  // namespace

TEST_CASE("commercial STS endpoints", "[sts-host]") {
    CHECK(region_of("sts.amazonaws.com", "aws") == "global");
    CHECK(region_of("sts.us-east-1.amazonaws.com", "aws") == "us-east-1");
    CHECK(region_of("sts.ap-northeast-2.amazonaws.com", "aws") == "ap-northeast-2");
    CHECK(region_of("sts-fips.us-east-2.amazonaws.com", "aws") == "us-east-2");
    CHECK(region_of("sts.eu-west-1.api.aws", "aws") == "eu-west-1");
    CHECK(region_of("sts-fips.us-west-2.api.aws", "aws") == "us-west-2");
    CHECK(region_of("sts.il-central-1.amazonaws.com", "aws") == "il-central-1");
    CHECK(region_of("sts.mx-central-1.amazonaws.com", "aws") == "mx-central-1");
}

TEST_CASE("STS endpoints of the other partitions", "[sts-host]") {
    CHECK(region_of("sts.cn-north-1.amazonaws.com.cn", "aws-cn") == "cn-north-1");
    CHECK(region_of("sts.cn-northwest-1.api.amazonwebservices.com.cn", "aws-cn") == "cn-northwest-1");
    CHECK(region_of("sts.us-gov-west-1.amazonaws.com", "aws-us-gov") == "us-gov-west-1");
    CHECK(region_of("sts-fips.us-gov-east-1.amazonaws.com", "aws-us-gov") == "us-gov-east-1");
    CHECK(region_of("sts.us-gov-west-1.api.aws", "aws-us-gov") == "us-gov-west-1");
    CHECK(region_of("sts.us-iso-east-1.c2s.ic.gov", "aws-iso") == "us-iso-east-1");
    CHECK(region_of("sts.us-isob-east-1.sc2s.sgov.gov", "aws-iso-b") == "us-isob-east-1");
    CHECK(region_of("sts.eu-isoe-west-1.cloud.adc-e.uk", "aws-iso-e") == "eu-isoe-west-1");
    CHECK(region_of("sts.us-isof-south-1.csp.hci.ic.gov", "aws-iso-f") == "us-isof-south-1");
    CHECK(region_of("sts.eusc-de-east-1.amazonaws.eu", "aws-eusc") == "eusc-de-east-1");
}

TEST_CASE("the global endpoint is for the aws partition only", "[sts-host]") {
    CHECK(refusal("sts.amazonaws.com", "aws-cn") == "global endpoint unsupported in partition aws-cn");
    CHECK(refusal("sts.amazonaws.com", "aws-us-gov") == "global endpoint unsupported in partition aws-us-gov");
}

TEST_CASE("hosts of another partition are refused", "[sts-host]") {
    CHECK(refusal("sts.cn-north-1.amazonaws.com.cn", "aws") ==
          "partition {aws} does not support hostname \"sts.cn-north-1.amazonaws.com.cn\"");
    CHECK(refusal("sts.us-east-1.amazonaws.com", "aws-cn") ==
          "partition {aws-cn} does not support hostname \"sts.us-east-1.amazonaws.com\"");
    // Same domain, different partition: refused by the region's name.
    CHECK(refusal("sts.us-gov-west-1.amazonaws.com", "aws") ==
          "partition {aws} does not support hostname \"sts.us-gov-west-1.amazonaws.com\"");
    CHECK(refusal("sts.us-east-1.amazonaws.com", "aws-us-gov") ==
          "partition {aws-us-gov} does not support hostname \"sts.us-east-1.amazonaws.com\"");
    CHECK(refusal("sts.us-iso-east-1.api.aws", "aws-iso") ==
          "partition {aws-iso} does not support hostname \"sts.us-iso-east-1.api.aws\"");
}

TEST_CASE("every known region is accepted in every form of its partition", "[sts-host]") {
    for (const aws::Partition& partition : aws::all_partitions()) {
        for (std::string_view region : partition.regions) {
            std::vector<std::string> hosts = {"sts." + std::string(region) + "." + std::string(partition.domain),
                                              "sts-fips." + std::string(region) + "." + std::string(partition.domain)};
            if (!partition.dual_stack_domain.empty()) {
                hosts.push_back("sts." + std::string(region) + "." + std::string(partition.dual_stack_domain));
                hosts.push_back("sts-fips." + std::string(region) + "." + std::string(partition.dual_stack_domain));
            }
            for (const std::string& host : hosts) {
                INFO(host);
                CHECK(region_of(host, partition.id) == region);
            }
        }
    }
}

TEST_CASE("a region-shaped name no setting admits is an unknown region, before any I/O", "[sts-host]") {
    const std::string message = unknown_region("sts.us-zz123-4.amazonaws.com", "aws");
    CHECK(message ==
          "unexpected hostname \"sts.us-zz123-4.amazonaws.com\" in pre-signed URL: region \"us-zz123-4\" is not one "
          "this build knows in partition aws; if AWS has launched it, list it in server.stsRegions (--sts-regions)");
    // Every form, every partition; prefixes this build knows or not.
    for (const char* host : {"sts-fips.eu-west-9.amazonaws.com", "sts.ap-southeast-99.api.aws",
                             "sts.xx-newplace-1.amazonaws.com", "sts.eu-central-3.amazonaws.com"}) {
        INFO(host);
        unknown_region(host, "aws");
    }
    unknown_region("sts.cn-south-1.amazonaws.com.cn", "aws-cn");
    unknown_region("sts.us-gov-central-1.amazonaws.com", "aws-us-gov");
    unknown_region("sts.us-iso-north-1.c2s.ic.gov", "aws-iso");
    unknown_region("sts.eusc-fr-west-1.amazonaws.eu", "aws-eusc");
}

TEST_CASE("the server's own region and the listed ones are admitted", "[sts-host]") {
    unknown_region("sts.xx-newplace-1.amazonaws.com.cn", "aws-cn");
    CHECK(region_of("sts.xx-newplace-1.amazonaws.com.cn", "aws-cn", "xx-newplace-1") == "xx-newplace-1");
    CHECK(region_of("sts.us-zz123-4.amazonaws.com", "aws", "", {"us-zz123-4", "eu-north-7"}) == "us-zz123-4");
    CHECK(region_of("sts-fips.eu-north-7.api.aws", "aws", "", {"us-zz123-4", "eu-north-7"}) == "eu-north-7");
    // ...but only with the partition's own domain.
    CHECK(refusal("sts.xx-newplace-1.example.com", "aws-cn", "xx-newplace-1").find("does not support") !=
          std::string::npos);
}

TEST_CASE("names that only look like STS endpoints are refused", "[sts-host]") {
    // S3 virtual-hosted names: buckets called "sts" and "sts-fips", which AWS's
    // certificate covers. Upstream accepts them (any label passes as a region).
    for (const char* host :
         {"sts.s3.amazonaws.com", "sts-fips.s3.amazonaws.com", "sts.s3-accelerate.amazonaws.com",
          "sts.s3-us-west-2.amazonaws.com", "sts.execute-api.amazonaws.com", "sts.not-a-region.amazonaws.com",
          "sts.s3.dualstack.api.aws", "sts.cn-north-1.amazonaws.com", "sts.us-isob-east-1.amazonaws.com"}) {
        INFO(host);
        CHECK_THAT(refusal(host, "aws"), Catch::StartsWith("partition {aws} does not support hostname"));
    }
}

TEST_CASE("echoed hosts are quoted and capped", "[sts-host]") {
    const std::string long_host(2000, 'x');
    const std::string message = refusal(long_host, "aws");
    CHECK(message.size() < 400);
    CHECK_THAT(message, Catch::EndsWith("\"..., invalid host format"));
}

TEST_CASE("anything that is not an STS endpoint is refused", "[sts-host]") {
    CHECK(refusal("", "aws") == "could not parse region for pre-signed URL \"\", host is empty");
    CHECK(refusal("google.com", "aws") ==
          "could not parse region for pre-signed URL \"google.com\", invalid host format");
    CHECK(refusal("localhost", "aws") ==
          "could not parse region for pre-signed URL \"localhost\", invalid host format");
    CHECK(refusal("sts.us-east-1.evil.com", "aws") ==
          "partition {aws} does not support hostname \"sts.us-east-1.evil.com\"");
    CHECK(refusal("sts.us-east-1.amazonaws.com.evil.com", "aws") ==
          "partition {aws} does not support hostname \"sts.us-east-1.amazonaws.com.evil.com\"");
    CHECK(refusal("ec2.us-east-1.amazonaws.com", "aws") ==
          "unexpected hostname \"ec2.us-east-1.amazonaws.com\" in pre-signed URL");
    CHECK(refusal("s3.amazonaws.com", "aws") == "unexpected hostname \"s3.amazonaws.com\" in pre-signed URL");
    CHECK(refusal("vpce-0123.sts.us-east-1.vpce.amazonaws.com", "aws") ==
          "unexpected hostname \"vpce-0123.sts.us-east-1.vpce.amazonaws.com\" in pre-signed URL");
    CHECK(refusal("sts.us-east-1.amazonaws.com.", "aws") ==
          "unexpected hostname \"sts.us-east-1.amazonaws.com.\" in pre-signed URL");
    CHECK(refusal("STS.amazonaws.com", "aws") == "unexpected hostname \"STS.amazonaws.com\" in pre-signed URL");
    CHECK(refusal("sts..amazonaws.com", "aws") == "invalid region identifier format provided: \"\"");
    CHECK(refusal("sts.-x.amazonaws.com", "aws") == "invalid region identifier format provided: \"-x\"");
    CHECK(refusal("sts.us_east.amazonaws.com", "aws") == "invalid region identifier format provided: \"us_east\"");
    CHECK(refusal("sts.us-east-1-.amazonaws.com", "aws") ==
          "invalid region identifier format provided: \"us-east-1-\"");
    CHECK(refusal("sts.US-EAST-1.amazonaws.com", "aws") ==
          "unexpected hostname \"sts.US-EAST-1.amazonaws.com\" in pre-signed URL");
    CHECK(refusal("sts.us-east-1.Amazonaws.com", "aws") ==
          "unexpected hostname \"sts.us-east-1.Amazonaws.com\" in pre-signed URL");
    CHECK(refusal("127.0.0.1", "aws") == "unexpected hostname \"127.0.0.1\" in pre-signed URL");
    CHECK(refusal("[::1]", "aws") == "could not parse region for pre-signed URL \"[::1]\", invalid host format");
}
