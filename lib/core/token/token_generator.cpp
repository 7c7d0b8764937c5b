#include "core/token/token_generator.hpp"

#include "core/sigv4/signer.hpp"
#include "core/aws/partition.hpp"
#include "core/token/sts_host.hpp"
#include "core/token/token_validator.hpp"
#include "core/util/base64.hpp"

namespace aia::token {

StsEndpoint default_sts_endpoint(std::string_view region) {
    if (region.empty()) return {std::string(kGlobalStsHost), "us-east-1"};
    // A region of no known partition gets the commercial domain, as the SDKs do.
    const Partition* partition = aws::partition_for_region(region);
    if (partition == nullptr) partition = aws::find_partition("aws");
    return {"sts." + std::string(region) + "." + std::string(partition->domain), std::string(region)};
}

GeneratedToken generate_token(const TokenRequest& request) {
    sigv4::Request http;
    http.method = "GET";
    http.path = "/";
    http.query = "Action=GetCallerIdentity&Version=" + std::string(kStsApiVersion);
    http.headers = {{"host", request.endpoint.host}, {std::string(kClusterIdHeader), request.cluster_id}};

    sigv4::SigningParams params;
    params.credentials = request.credentials;
    params.region = request.endpoint.signing_region;
    params.service = "sts";
    params.time = request.now;
    sigv4::presign(http, params, request.expires);

    GeneratedToken out;
    out.url = "https://" + request.endpoint.host + "/?" + http.query;
    out.token = std::string(kTokenPrefix) + base64::encode_url_unpadded(out.url);
    out.expiration = request.now + kClientTokenValidity;
    return out;
}

}  // namespace aia::token
