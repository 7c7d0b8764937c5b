// The server's routes, without a socket: WebhookHandler::handle with a
// scripted STS. Paths, methods, liveness and readiness while a mapping
// source has never loaded, metrics; the health listener's handler.

#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "app/health_routes.hpp"
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

TEST_CASE("routes: /healthz is ok to any method, even while a source never loaded", "[routes]") {
    Routes missing("/nonexistent/dynamic-file.json");
    for (const char* method : {"GET", "POST", "PUT", "HEAD"}) {
        const auto alive = missing.request(method, "/healthz");
        CHECK(alive.status == 200);
        CHECK(alive.body == "ok");
    }
    CHECK(Routes().request("DELETE", "/healthz").body == "ok");
}

TEST_CASE("routes: /readyz is 503 until every source loaded, and never says why", "[routes]") {
    CHECK(Routes().request("GET", "/readyz").status == 200);
    CHECK(Routes().request("GET", "/readyz").body == "ok");
    Routes missing("/nonexistent/dynamic-file.json");
    const auto not_ready = missing.request("GET", "/readyz");
    CHECK(not_ready.status == 503);
    CHECK(not_ready.body == "not ready\n");
    CHECK(not_ready.body.find("DynamicFile") == std::string::npos);
}

TEST_CASE("health listener: any path is ok, as upstream's, and /readyz is readiness", "[routes]") {
    Routes missing("/nonexistent/dynamic-file.json");
    app::HealthHandler health(missing.mappings);
    const auto ask = [&](std::string method, std::string target) {
        net::HttpRequest request;
        request.method = std::move(method);
        request.target = std::move(target);
        net::asio::io_context io;
        return net::run_blocking(io, health.handle(std::move(request)));
    };
    for (const char* path : {"/healthz", "/", "/anything?x=1"}) {
        CHECK(ask("GET", path).status == 200);
        CHECK(ask("POST", path).body == "ok");
    }
    CHECK(ask("GET", "/readyz").status == 503);
    Routes loaded;
    app::HealthHandler ready(loaded.mappings);
    net::HttpRequest request;
    request.target = "/readyz";
    net::asio::io_context io;
    CHECK(net::run_blocking(io, ready.handle(std::move(request))).status == 200);
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
