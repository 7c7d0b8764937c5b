#include "app/webhook_handler.hpp"

#include "app/health_routes.hpp"

namespace aia::app {
namespace {

net::HttpResponse text(unsigned status, std::string body) { return net::HttpResponse::make(status, std::move(body)); }

}  // namespace

WebhookHandler::WebhookHandler(const AuthenticatorContext& context, std::unique_ptr<net::StsFetcher> sts)
    : context_(context), sts_(std::move(sts)), authenticator_(context, *sts_) {}

net::awaitable<net::HttpResponse> WebhookHandler::handle(net::HttpRequest request) {
    const std::string_view path = request.path();
    if (path == "/authenticate") {
        if (request.method != "POST") {
            context_.metrics->observe_review(auth::Outcome::MalformedRequest, 0);
            context_.log->error("unexpected request method",
                                {{"path", std::string(path)}, {"client", request.client}, {"method", request.method}});
            co_return text(405, "expected POST\n");
        }
        const RequestLine line{.path = path, .client = request.client, .method = request.method};
        ReviewResult result = co_await authenticator_.review(request.body, line);
        co_return net::HttpResponse::make(result.http_status, std::move(result.body), std::move(result.content_type));
    }
    if (path == "/healthz") co_return liveness_answer();
    if (path == "/readyz") co_return readiness_answer(*context_.mappings);
    if (path == "/metrics") {
        if (request.method != "GET") co_return text(405, "expected GET\n");
        co_return net::HttpResponse::make(200, context_.metrics->render(), "text/plain; version=0.0.4; charset=utf-8");
    }
    co_return text(404, "not found\n");
}

}  // namespace aia::app
