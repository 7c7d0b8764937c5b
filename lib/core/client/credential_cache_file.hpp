#pragma once
// The `token --cache` file, in upstream's format so both tools share it
// (~/.kube/cache/aws-iam-authenticator/credentials.yaml):
//
//   clusters:
//     <cluster ID>:
//       <AWS profile>:
//         <role ARN, or "" without -r>:
//           accesskeyid: ...
//           secretaccesskey: ...
//           sessiontoken: ...
//           source: ...
//           canexpire: true
//           expires: 2026-11-23T19:00:00Z
//           accountid: ""
//
// Pure: parsing and rendering only; the file itself is the command's.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/aws/aws_credentials.hpp"
#include "core/util/result.hpp"

namespace aia::client {

struct CacheKey {
    std::string cluster_id;
    std::string profile;   // AWS_PROFILE, or "default"
    std::string role_arn;  // empty without -r
};

class CredentialCacheFile {
public:
    // An empty text is an empty cache. Entries that cannot be read (a time
    // in a local offset, a missing key) are dropped, so they are fetched
    // again; a file that is not this format at all is an error.
    static Result<CredentialCacheFile, std::string> parse(std::string_view yaml);

    // Only temporary credentials are kept.
    std::optional<aws::AwsCredentials> find(const CacheKey& key) const;
    void put(const CacheKey& key, const aws::AwsCredentials& credentials);

    std::string render() const;

private:
    // cluster -> profile -> role ARN -> credentials
    std::map<std::string, std::map<std::string, std::map<std::string, aws::AwsCredentials>>> clusters_;
};

}  // namespace aia::client
