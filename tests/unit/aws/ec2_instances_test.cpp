#include <catch2/catch.hpp>

#include "core/aws/ec2_instances.hpp"

using namespace aia::aws;

TEST_CASE("DescribeInstances request bodies", "[ec2]") {
    CHECK(describe_instances_body({"i-0123456789abcdef0", "i-01234567"}) ==
          "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0&InstanceId.2=i-01234567");
}

TEST_CASE("DescribeInstances answers: the instance's own private DNS name", "[ec2]") {
    const auto instances = parse_describe_instances(R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
  <reservationSet>
    <item>
      <reservationId>r-1</reservationId>
      <instancesSet>
        <item>
          <instanceId>i-0123456789abcdef0</instanceId>
          <instanceState><code>16</code><name>running</name></instanceState>
          <privateDnsName>ip-10-0-0-1.ec2.internal</privateDnsName>
          <networkInterfaceSet><item><privateDnsName>ip-10-9-9-9.ec2.internal</privateDnsName></item></networkInterfaceSet>
        </item>
        <item>
          <instanceId>i-pending0</instanceId>
          <instanceState><code>0</code><name>pending</name></instanceState>
          <privateDnsName/>
        </item>
      </instancesSet>
    </item>
  </reservationSet>
</DescribeInstancesResponse>)");
    REQUIRE(instances.ok());
    REQUIRE(instances->size() == 2);
    CHECK((*instances)[0].instance_id == "i-0123456789abcdef0");
    CHECK((*instances)[0].private_dns_name == "ip-10-0-0-1.ec2.internal");
    CHECK((*instances)[0].state == "running");
    CHECK((*instances)[1].private_dns_name.empty());
    CHECK((*instances)[1].state == "pending");

    CHECK(parse_describe_instances("<DescribeInstancesResponse/>")->empty());
    CHECK_THAT(parse_describe_instances("<Response><Errors/></Response>").error(),
               Catch::Contains("not a DescribeInstancesResponse"));
}

TEST_CASE("EC2 endpoints per partition", "[ec2]") {
    CHECK(ec2_host("us-east-1") == "ec2.us-east-1.amazonaws.com");
    CHECK(ec2_host("cn-north-1") == "ec2.cn-north-1.amazonaws.com.cn");
    CHECK(ec2_host("us-isob-east-1") == "ec2.us-isob-east-1.sc2s.sgov.gov");
}
