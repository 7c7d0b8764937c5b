#include "app/client/client_region.hpp"

#include "app/aws/credential_providers.hpp"
#include "core/aws/partition.hpp"
#include "net/http_client.hpp"
#include "net/run_blocking.hpp"
#include "net/tls_context.hpp"

namespace aia::app {
namespace {

// Instance metadata is plain HTTP on a link-local address: no TLS settings matter.
std::string metadata_region_or_empty(const AwsEnvironment& environment) {
    net::asio::io_context io;
    auto tls = net::make_client_tls("");
    if (!tls) return {};
    net::HttpClient http(io, std::move(tls).value());
    const ProviderContext context{io, http, environment, kFallbackRegion};
    auto region = net::run_blocking(io, metadata_region(context));
    io.stop();
    // Whatever answered must look like a region before a token names it.
    return region && aws::is_valid_region_label(*region) ? *region : std::string{};
}

}  // namespace

std::string client_region(const AwsEnvironment& environment, const std::string& flag) {
    if (!flag.empty()) return flag;
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
        if (environment.has(name)) return environment.get(name);
    }
    if (std::string region = profile_region(environment); !region.empty()) return region;
    if (std::string region = metadata_region_or_empty(environment); !region.empty()) return region;
    return kFallbackRegion;
}

}  // namespace aia::app
