#pragma once
// A call to an AWS Query API (STS, EC2): a form-encoded POST, SigV4-signed
// in the Authorization header when credentials are given.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/aws/aws_environment.hpp"
#include "core/aws/aws_credentials.hpp"
#include "net/http_client.hpp"

namespace aia::app {

struct QueryCall {
    std::string_view service;                                        // "sts", "ec2": the signing name
    std::string_view region;                                         // the signing region
    std::string body;                                                // Action=...&Version=...&...
    std::vector<std::pair<std::string, std::string>> extra_headers;  // signed too
};

// The request for `endpoint`, signed with `credentials` now (unsigned when null).
net::ClientRequest query_request(const UrlEndpoint& endpoint, QueryCall call, const aws::AwsCredentials* credentials);

}  // namespace aia::app
