#pragma once
// Replays presigned GetCallerIdentity requests to STS over an HttpClient
// (pooled, verified, deadline-bound; see http_client.hpp).
//
// The request goes to the token's own STS host on 443, or to an override
// endpoint (a VPC endpoint, a proxy, the emulator) whose certificate is then
// checked instead; either way the Host header and the signature stay the
// token's.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/token/presigned_request.hpp"
#include "net/asio.hpp"
#include "net/http_client.hpp"
#include "net/sts_fetcher.hpp"

namespace aia::net {

struct StsClientOptions {
    // Connect here instead of the token's host. Empty host: no override.
    std::string override_host;
    std::uint16_t override_port = 443;
    std::chrono::milliseconds timeout{std::chrono::seconds{10}};  // connect + TLS + request + answer
};

class StsClient final : public StsFetcher {
public:
    StsClient(HttpClient& http, StsClientOptions options) : http_(http), options_(std::move(options)) {}

    awaitable<StsAnswer> get_caller_identity(const token::PresignedRequest& request, bool home) override;

private:
    HttpClient& http_;
    StsClientOptions options_;
};

// A worker's STS client with an HTTP client of its own (pooled connections
// on `io`, names resolved by `http.resolver`).
std::unique_ptr<StsFetcher> make_sts_client(asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> tls,
                                            HttpClientOptions http, StsClientOptions options);

}  // namespace aia::net
