// The `verify` command's entry point: one token, verified to completion on the
// calling thread (in a file of its own: g++ 12 misreports new/delete when a
// blocking runner shares a translation unit with the coroutines it runs).
#include "app/token_verifier.hpp"

#include "net/http_client.hpp"
#include "net/run_blocking.hpp"
#include "net/sts_client.hpp"
#include "net/tls_context.hpp"

namespace aia::app {

Result<Verification, std::string> verify_token_blocking(std::string_view token, const token::TokenValidator& validator,
                                                        const StsCallSettings& settings) {
    auto tls = net::make_client_tls(settings.ca_file);
    if (!tls) return fail(std::move(tls).error());
    net::asio::io_context io;
    net::HttpClient http(io, std::move(tls).value());
    net::StsClient sts(http, {.override_host = settings.override_host,
                              .override_port = settings.override_port,
                              .timeout = settings.timeout});
    Metrics metrics;
    const VerifierServices services{sts, metrics};
    Verification verification = net::run_blocking(io, verify_token(token, validator, services));
    io.stop();
    return verification;
}

}  // namespace aia::app
