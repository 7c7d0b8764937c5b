#include "net/sts_client.hpp"

namespace aia::net {
namespace {

class OwningStsClient final : public StsFetcher {
public:
    OwningStsClient(asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> tls, HttpClientOptions http,
                    StsClientOptions options)
        : http_(io, std::move(tls), std::move(http)), sts_(http_, std::move(options)) {}

    awaitable<StsAnswer> get_caller_identity(const token::PresignedRequest& request, bool home) override {
        return sts_.get_caller_identity(request, home);
    }

private:
    HttpClient http_;
    StsClient sts_;
};

}  // namespace

std::unique_ptr<StsFetcher> make_sts_client(asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> tls,
                                            HttpClientOptions http, StsClientOptions options) {
    return std::make_unique<OwningStsClient>(io, std::move(tls), std::move(http), std::move(options));
}

awaitable<StsAnswer> StsClient::get_caller_identity(const token::PresignedRequest& request, bool home) {
    const bool overridden = !options_.override_host.empty();
    Endpoint endpoint;
    endpoint.host = overridden ? options_.override_host : request.host;
    endpoint.port = overridden ? options_.override_port : 443;
    // Every request goes to an override: it is everyone's home.
    endpoint.priority = home || overridden;

    ClientRequest out;
    out.method = "GET";
    out.target = request.target;
    out.headers = {{"Host", request.host}, {"x-k8s-aws-id", request.cluster_id}, {"Accept", "application/json"}};
    co_return co_await http_.send(endpoint, std::move(out), options_.timeout);
}

}  // namespace aia::net
