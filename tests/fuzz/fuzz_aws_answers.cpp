// libFuzzer target: the answers of the AWS calls the server makes itself.
// The first byte chooses the parser: EC2 DescribeInstances (XML), STS
// AssumeRole / AssumeRoleWithWebIdentity credentials (XML), container or
// instance-metadata credentials (JSON). Properties beyond "no crash, no UB":
// a refusal has a reason; accepted credentials have a key ID and a secret;
// every accepted instance has an ID.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/aws/credential_documents.hpp"
#include "core/aws/ec2_instances.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] % 3) {
        case 0: {
            const auto instances = aia::aws::parse_describe_instances(body);
            if (!instances) {
                if (instances.error().empty()) std::abort();
                break;
            }
            for (const auto& instance : *instances) {
                if (instance.instance_id.empty()) std::abort();
            }
            break;
        }
        default: {
            const auto credentials =
                data[0] % 3 == 1 ? aia::aws::parse_sts_credentials_xml(body) : aia::aws::parse_credentials_json(body);
            if (!credentials) {
                if (credentials.error().empty()) std::abort();
                break;
            }
            if (credentials->keys.access_key_id.empty() || credentials->keys.secret_access_key.empty()) std::abort();
            break;
        }
    }
    return 0;
}
