#pragma once
// Calls to the Kubernetes API for one resolved ClientConfig (in-cluster, a
// kubeconfig or --master): plain requests and watch streams, over the HTTP
// client the STS calls use, with the config's TLS settings and credentials.
//
// A token file (the kubelet's projected service-account token) is read
// again at least every minute and right after a 401, so a rotated token is
// used without a restart. Every request is bounded in time and size.
// One KubeClient per io_context thread, like HttpClient.

#include <chrono>
#include <memory>
#include <string>

#include "core/kube/client_config.hpp"
#include "core/util/result.hpp"
#include "net/asio.hpp"
#include "net/http_client.hpp"

namespace aia::app {

struct KubeClientOptions {
    std::chrono::milliseconds request_timeout{std::chrono::seconds{10}};
    std::size_t max_answer_bytes = 16 * 1024 * 1024;  // a list of every IAMIdentityMapping
    net::LineStreamOptions watch;                      // per-watch bounds
    std::chrono::seconds token_reread{60};
    std::string user_agent = "aws-iam-authenticator-cpp";
};

class KubeClient {
public:
    // Loads the CA and the client certificate now (a file that cannot be
    // read is an error here, not on the first call); the token file on use.
    static Result<std::unique_ptr<KubeClient>, std::string> create(net::asio::io_context& io, kube::ClientConfig config,
                                                                   KubeClientOptions options = {});
    ~KubeClient();
    KubeClient(const KubeClient&) = delete;
    KubeClient& operator=(const KubeClient&) = delete;

    // method and target relative to the API root ("/api/v1/..."); a body is
    // sent as JSON (content_type overrides, for a merge patch).
    net::awaitable<net::ClientResponse> request(std::string method, std::string target, std::string body = {},
                                                std::string content_type = "application/json");

    // A watch: each line of a 2xx answer goes to on_line (see HttpClient::stream_lines).
    net::awaitable<net::ClientResponse> stream(std::string target, net::LineHandler on_line);

    // "https://host:port (source)", for log lines.
    std::string describe() const;

private:
    struct Impl;
    explicit KubeClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// An answer that is not the one wanted, in words for the log: "HTTP 403
// Forbidden: <the API's message>", or why there was no answer.
std::string describe_answer(const net::ClientResponse& response);

}  // namespace aia::app
