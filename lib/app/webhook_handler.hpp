#pragma once
// The server's routes:
//   POST /authenticate  TokenReview in, TokenReview out
//   *    /healthz       "ok" (liveness), any method, as upstream
//   *    /readyz        503 until every mapping source has loaded once, then "ok"
//   GET  /metrics       Prometheus text format
// A known path with another method: 405. Anything else: 404.

#include <memory>

#include "app/authenticator.hpp"
#include "net/http_server.hpp"
#include "net/sts_fetcher.hpp"

namespace aia::app {

class WebhookHandler : public net::RequestHandler {
public:
    // Owns this worker's STS client.
    WebhookHandler(const AuthenticatorContext& context, std::unique_ptr<net::StsFetcher> sts);

    net::awaitable<net::HttpResponse> handle(net::HttpRequest request) override;

private:
    const AuthenticatorContext& context_;
    std::unique_ptr<net::StsFetcher> sts_;
    Authenticator authenticator_;
};

}  // namespace aia::app
