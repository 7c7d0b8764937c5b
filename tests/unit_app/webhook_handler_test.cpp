// The server's routes, without a socket: WebhookHandler::handle with a
// scripted STS. Paths, methods, health while a mapping source has never
// loaded, metrics.

#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "app/identity_cache.hpp"
#include "app/logger.hpp"
#include "app/mapping_sources.hpp"
#include "app/metrics.hpp"
#include "app/webhook_handler.hpp"
#include "core/config/server_config.hpp"
#include "net/run_blocking.hpp"
#include "support/scripted.hpp"

using namespace aia;

namespace {

struct Routes {
    int log_fd = ::memfd_create("routes-log", 0);
    app::Logger log{app::LogFormat::Text, "info", log_fd};
    app::Metrics metrics;
    app::MappingSources mappings;
    app::AuthenticatorContext context;
    test::ScriptedSts* sts = nullptr;  // owned by the handler
    std::unique_ptr<app::WebhookHandler> handler;

    explicit Routes(std::string mapping_file = {})
        : mappings({app::SourceSpec{
                       .name = std::string(mapping_file.empty() ? config::kModeMountedFile : config::kModeDynamicFile),
                       .path = mapping_file,
                       .table_options = {},
                       .reserved_prefixes = {}}},
                   {}, log, metrics),
          context{token::TokenValidator::create({.cluster_id = "c"}).value(),
                  &mappings,
                  {},
                  nullptr,
                  nullptr,
                  nullptr,
                  &metrics,
                  &log} {
        mappings.load_all();
        auto scripted = std::make_unique<test::ScriptedSts>();
        sts = scripted.get();
        handler = std::make_unique<app::WebhookHandler>(context, std::move(scripted));
    }
    ~Routes() {
        handler.reset();
        ::close(log_fd);
    }

    net::HttpResponse request(std::string method, std::string target, std::string body = {}) {
        net::HttpRequest request;
        request.method = std::move(method);
        request.target = std::move(target);
        request.body = std::move(body);
        request.client = "10.0.0.2:4444";
        net::asio::io_context io;
        return net::run_blocking(io, handler->handle(std::move(request)));
    }
};

}  // namespace

TEST_CASE("routes: unknown paths are 404, known paths with another method 405", "[routes]") {
    Routes routes;
    CHECK(routes.request("GET", "/").status == 404);
    CHECK(routes.request("GET", "/authenticate/extra").status == 404);
    CHECK(routes.request("GET", "/authenticate").status == 405);
    CHECK(routes.request("POST", "/healthz").status == 405);
    CHECK(routes.request("DELETE", "/metrics").status == 405);
    CHECK(routes.sts->asked_hosts.empty());
}

TEST_CASE("routes: /authenticate answers a review with its status and JSON type", "[routes]") {
    Routes routes;
    const auto malformed = routes.request("POST", "/authenticate", "not json");
    CHECK(malformed.status == 400);
    CHECK(malformed.content_type == "text/plain; charset=utf-8");
    const auto denied = routes.request(
        "POST", "/authenticate?x=1",
        R"({"apiVersion":"authentication.k8s.io/v1beta1","kind":"TokenReview","spec":{"token":"k8s-aws-v1.x"}})");
    CHECK(denied.status == 403);
    CHECK(denied.content_type == "application/json; charset=UTF-8");
    CHECK(denied.body.find("authentication.k8s.io/v1beta1") != std::string::npos);
}

TEST_CASE("routes: /healthz is ok once every source loaded, 503 naming the one that never did", "[routes]") {
    CHECK(Routes().request("GET", "/healthz").body == "ok");
    Routes missing("/nonexistent/dynamic-file.json");
    const auto unhealthy = missing.request("GET", "/healthz");
    CHECK(unhealthy.status == 503);
    CHECK(unhealthy.content_type == "application/json");
    CHECK(unhealthy.body.find("DynamicFile") != std::string::npos);
    CHECK(unhealthy.body.find("never loaded") != std::string::npos);
}

TEST_CASE("routes: /metrics is Prometheus text and counts the reviews served", "[routes]") {
    Routes routes;
    routes.request("POST", "/authenticate", "{");
    const auto metrics = routes.request("GET", "/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.content_type == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(
        metrics.body.find("aws_iam_authenticator_authenticate_latency_seconds_count{result=\"malformed_request\"} 1") !=
        std::string::npos);
}
