#pragma once
// Liveness and readiness, as probes ask for them:
//   /healthz  200 "ok" to any method while the process serves (liveness;
//             upstream answers the same, and probes written for it expect it)
//   /readyz   503 until every mapping source has loaded once, then 200 "ok"
//             (readiness; why a source has not loaded is in the log and the
//             mapping metrics, never in an answer anyone can fetch)
// The TLS port serves both among its routes; the plain-HTTP health listener
// (server.healthAddress, upstream's :21363) serves HealthHandler, which
// answers "ok" on any other path, as upstream's does.

#include "app/mapping_sources.hpp"
#include "net/http_server.hpp"

namespace aia::app {

net::HttpResponse liveness_answer();
net::HttpResponse readiness_answer(const MappingSources& mappings);

class HealthHandler : public net::RequestHandler {
public:
    explicit HealthHandler(const MappingSources& mappings) : mappings_(mappings) {}
    net::awaitable<net::HttpResponse> handle(net::HttpRequest request) override;

private:
    const MappingSources& mappings_;
};

}  // namespace aia::app
