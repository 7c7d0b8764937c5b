#include "app/aws/query_request.hpp"

#include <chrono>

#include "app/wall_clock.hpp"
#include "core/sigv4/signer.hpp"

namespace aia::app {

net::ClientRequest query_request(const UrlEndpoint& endpoint, QueryCall call, const aws::AwsCredentials* credentials) {
    sigv4::Request request;
    request.method = "POST";
    request.path = endpoint.path;
    request.headers = {{"Host", endpoint.host_header},
                       {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    for (auto& [name, value] : call.extra_headers) request.headers.push_back({std::move(name), std::move(value)});
    request.body = std::move(call.body);
    if (credentials != nullptr) {
        sigv4::SigningParams params;
        params.credentials = credentials->keys;
        params.region = std::string(call.region);
        params.service = std::string(call.service);
        params.time = wall_clock_now();
        sigv4::sign_headers(request, params);
    }
    net::ClientRequest out{"POST", std::move(request.path), {}, std::move(request.body)};
    for (auto& header : request.headers) out.headers.emplace_back(std::move(header.name), std::move(header.value));
    return out;
}

}  // namespace aia::app
