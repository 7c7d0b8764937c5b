// sign-token: makes a "k8s-aws-v1." token with the project's signer, for
// the demo, the integration tests and anyone poking at a server by hand.
// It takes the keys on the command line (and a signing time or host, for
// hostile-token tests); `aws-iam-authenticator token` is the real client.

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

#include "core/token/token_generator.hpp"

int main(int argc, char** argv) {
    using namespace aia;
    CLI::App app{"sign-token: presign an STS GetCallerIdentity token for a cluster"};
    sigv4::Credentials credentials;
    std::string cluster_id, region, host;
    long long unix_time = 0;
    unsigned count = 1;
    app.add_option("--access-key-id", credentials.access_key_id)->required();
    app.add_option("--secret-access-key", credentials.secret_access_key)->required();
    app.add_option("--session-token", credentials.session_token);
    app.add_option("-i,--cluster-id", cluster_id)->required();
    app.add_option("--region", region, "STS region (default: the global endpoint)");
    app.add_option("--host", host, "Sign for this STS host instead (tests of hostile tokens)");
    app.add_option("--time", unix_time, "Signing time as Unix seconds (default: now)");
    app.add_option("--count", count,
                   "Sign this many tokens, one per line, each one second older than the last (distinct tokens "
                   "for cache-miss tests)")
        ->check(CLI::Range(1u, 900u));
    CLI11_PARSE(app, argc, argv);

    token::TokenRequest request;
    request.credentials = credentials;
    request.cluster_id = cluster_id;
    request.endpoint = token::default_sts_endpoint(region);
    if (!host.empty()) request.endpoint.host = host;
    request.now = unix_time != 0 ? amz_time::Seconds{std::chrono::seconds{unix_time}}
                                 : std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    for (unsigned i = 0; i < count; ++i) {
        std::printf("%s\n", token::generate_token(request).token.c_str());
        request.now -= std::chrono::seconds{1};
    }
    return 0;
}
