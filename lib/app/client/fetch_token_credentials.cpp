// The `token` command's entry point, run to completion on the calling thread
// (apart from the coroutines: see verify_token_blocking.cpp).
#include "app/client/token_credentials.hpp"

#include "app/client/terminal_prompt.hpp"

#include "net/http_client.hpp"
#include "net/run_blocking.hpp"
#include "net/tls_context.hpp"

namespace aia::app {

Result<TokenCredentials, std::string> fetch_token_credentials(const AwsEnvironment& environment,
                                                              const std::string& region,
                                                              TokenCredentialsOptions options) {
    net::asio::io_context io;
    auto tls = net::make_client_tls(environment.get("AWS_CA_BUNDLE"));
    if (!tls) return fail("AWS_CA_BUNDLE: " + tls.error());
    net::HttpClient http(io, std::move(tls).value());
    ProviderContext context{io, http, environment, region.empty() ? "us-east-1" : region};
    context.mfa_token_code = ask_mfa_token_code;                     // a person runs this: they can be asked
    std::vector<std::shared_ptr<RefreshingCredentials>> keep_alive;  // released after io stops
    auto fetched = net::run_blocking(io, token_credentials(context, std::move(options), keep_alive));
    io.stop();
    return fetched;
}

}  // namespace aia::app
