#include "app/health_routes.hpp"

namespace aia::app {

net::HttpResponse liveness_answer() { return net::HttpResponse::make(200, "ok"); }

net::HttpResponse readiness_answer(const MappingSources& mappings) {
    if (mappings.never_loaded().empty()) return net::HttpResponse::make(200, "ok");
    return net::HttpResponse::make(503, "not ready\n");
}

net::awaitable<net::HttpResponse> HealthHandler::handle(net::HttpRequest request) {
    if (request.path() == "/readyz") co_return readiness_answer(mappings_);
    co_return liveness_answer();
}

}  // namespace aia::app
