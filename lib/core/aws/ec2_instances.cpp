#include "core/aws/ec2_instances.hpp"

#include "core/aws/partition.hpp"
#include "core/util/percent_encoding.hpp"
#include "core/util/xml.hpp"

namespace aia::aws {

std::string describe_instances_body(const std::vector<std::string>& instance_ids) {
    std::string body = "Action=DescribeInstances&Version=" + std::string(kEc2ApiVersion);
    for (std::size_t i = 0; i < instance_ids.size(); ++i) {
        body += "&InstanceId." + std::to_string(i + 1) + "=" + percent::encode_sigv4(instance_ids[i]);
    }
    return body;
}

Result<std::vector<Ec2Instance>, std::string> parse_describe_instances(std::string_view body) {
    auto document = xml::parse(body);
    if (!document) return fail("DescribeInstances answer is not XML: " + document.error());
    if (document->name != "DescribeInstancesResponse") {
        return fail("DescribeInstances answer is a <" + document->name + ">, not a DescribeInstancesResponse");
    }
    std::vector<Ec2Instance> instances;
    const xml::Element* reservations = document->child("reservationSet");
    if (reservations == nullptr) return instances;
    for (const xml::Element* reservation : reservations->children_named("item")) {
        const xml::Element* set = reservation->child("instancesSet");
        if (set == nullptr) continue;
        for (const xml::Element* instance : set->children_named("item")) {
            Ec2Instance out;
            out.instance_id = std::string(instance->child_text("instanceId"));
            out.private_dns_name = std::string(instance->child_text("privateDnsName"));
            if (const xml::Element* state = instance->child("instanceState"))
                out.state = std::string(state->child_text("name"));
            if (!out.instance_id.empty()) instances.push_back(std::move(out));
        }
    }
    return instances;
}

std::string ec2_host(std::string_view region) {
    const Partition* partition = partition_for_region(region);
    if (partition == nullptr) partition = find_partition("aws");
    return "ec2." + std::string(region) + "." + std::string(partition->domain);
}

}  // namespace aia::aws
