#pragma once
// Where the server's own AWS calls go, and with which settings: read once
// from the environment variables the AWS SDKs honour, so operators configure
// us the way they configure any AWS tool.
//
//   AWS_REGION / AWS_DEFAULT_REGION              region (before the profile's and instance metadata's)
//   AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE
//   AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_SSO   endpoint overrides
//   AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_DISABLED   instance metadata
//   AWS_CA_BUNDLE                                extra trust for AWS endpoints

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/result.hpp"
#include "net/http_client.hpp"

namespace aia::app {

// The AWS_* variables and HOME, captured once (tests pass their own).
class AwsEnvironment {
public:
    static AwsEnvironment from_process();
    explicit AwsEnvironment(const std::map<std::string, std::string>& variables)
        : variables_(variables.begin(), variables.end()) {}

    // The value, or empty when unset.
    std::string get(std::string_view name) const;
    bool has(std::string_view name) const { return !get(name).empty(); }

private:
    std::map<std::string, std::string, std::less<>> variables_;
};

// An endpoint given as a URL: where to connect, the Host header, and the
// path (container credential URIs carry one).
struct UrlEndpoint {
    net::Endpoint endpoint;
    std::string host_header;  // host[:port] as written
    std::string path = "/";
};

// "http[s]://host[:port][/path]"; refuses user-info, queries and fragments.
Result<UrlEndpoint, std::string> parse_url_endpoint(std::string_view url);

// The endpoint of an AWS service: its override from the environment, or
// https://<service>.<region>.<partition domain>.
Result<UrlEndpoint, std::string> service_endpoint(const AwsEnvironment& environment, std::string_view service,
                                                  std::string_view region);

// The IAM Identity Center portal of an sso_region: its override
// (AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL), or https://portal.sso.<region>.<partition domain>.
Result<UrlEndpoint, std::string> sso_portal_endpoint(const AwsEnvironment& environment, std::string_view region);

}  // namespace aia::app
