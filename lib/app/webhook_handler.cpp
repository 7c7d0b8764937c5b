#include "app/webhook_handler.hpp"

#include <nlohmann/json.hpp>

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
            context_.log->warn("unexpected request method", {{"client", request.client}, {"method", request.method}});
            co_return text(405, "expected POST\n");
        }
        ReviewResult result = co_await authenticator_.review(request.body, request.client);
        co_return net::HttpResponse::make(result.http_status, std::move(result.body), std::move(result.content_type));
    }
    if (path == "/healthz") {
        if (request.method != "GET") co_return text(405, "expected GET\n");
        // Unhealthy while a mapping source has never loaded: requests it
        // should map would be denied.
        const auto never_loaded = context_.mappings->never_loaded();
        if (never_loaded.empty()) co_return text(200, "ok");
        nlohmann::json sources = nlohmann::json::object();
        for (const auto& [name, reason] : never_loaded) sources[name] = "never loaded: " + reason;
        co_return net::HttpResponse::make(503, nlohmann::json{{"status", "unhealthy"}, {"sources", sources}}.dump(),
                                          "application/json");
    }
    if (path == "/metrics") {
        if (request.method != "GET") co_return text(405, "expected GET\n");
        co_return net::HttpResponse::make(200, context_.metrics->render(), "text/plain; version=0.0.4; charset=utf-8");
    }
    co_return text(404, "not found\n");
}

}  // namespace aia::app
