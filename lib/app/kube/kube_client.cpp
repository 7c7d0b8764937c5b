#include "app/kube/kube_client.hpp"

#include "app/file_reading.hpp"
#include "core/kube/watch_events.hpp"
#include "net/tls_context.hpp"

namespace aia::app {
namespace {

using SteadyClock = std::chrono::steady_clock;

Result<std::string, std::string> pem(const kube::PemSource& source, std::string_view what) {
    if (!source.data.empty()) return source.data;
    if (source.file.empty()) return std::string{};
    auto content = read_file(source.file, kMaxSmallFileBytes);
    if (!content) return fail(std::string(what) + ": " + content.error().message);
    return std::move(content).value();
}

}  // namespace

struct KubeClient::Impl {
    kube::ClientConfig config;
    KubeClientOptions options;
    net::Endpoint endpoint;
    std::unique_ptr<net::HttpClient> http;

    std::string token;  // the token file's content, trimmed, as last read
    std::optional<SteadyClock::time_point> token_read_at;
    std::string token_error;  // why the file could not be read, for describe()

    // The bearer token to send: the file's (read again when stale), else the kubeconfig's.
    std::string bearer() {
        if (config.token_file.empty()) return config.bearer_token;
        const auto now = SteadyClock::now();
        if (!token_read_at || now - *token_read_at >= options.token_reread) {
            token_read_at = now;
            auto content = read_file(config.token_file, kMaxSmallFileBytes);
            if (content) {
                std::string text = std::move(content).value();
                while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
                    text.pop_back();
                token = std::move(text);
                token_error.clear();
            } else {
                // Keep the last token read: the kubelet replaces the file atomically.
                token_error = content.error().message;
            }
        }
        return token.empty() ? config.bearer_token : token;
    }

    net::ClientRequest make(std::string method, std::string target) {
        net::ClientRequest request;
        request.method = std::move(method);
        request.target = config.base_path + target;
        request.headers = {{"Host", kube::authority(config)}, {"Accept", "application/json"}};
        if (const std::string token_now = bearer(); !token_now.empty())
            request.headers.emplace_back("Authorization", "Bearer " + token_now);
        return request;
    }

    void after(const net::ClientResponse& response) {
        // A rotated token: read the file again before the next call.
        if (response.kind == net::ClientResponse::Kind::Answered && response.status == 401) token_read_at.reset();
    }
};

KubeClient::KubeClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KubeClient::~KubeClient() = default;

Result<std::unique_ptr<KubeClient>, std::string> KubeClient::create(net::asio::io_context& io,
                                                                    kube::ClientConfig config,
                                                                    KubeClientOptions options) {
    net::ClientTlsSettings tls_settings;
    auto ca = pem(config.ca, "certificate-authority");
    if (!ca) return fail(ca.error());
    tls_settings.ca_pem = std::move(ca).value();
    auto cert = pem(config.client_cert, "client-certificate");
    if (!cert) return fail(cert.error());
    tls_settings.cert_pem = std::move(cert).value();
    auto key = pem(config.client_key, "client-key");
    if (!key) return fail(key.error());
    tls_settings.key_pem = std::move(key).value();
    auto tls = net::make_client_tls(tls_settings);
    if (!tls) return fail("Kubernetes API TLS: " + tls.error());

    auto impl = std::make_unique<Impl>();
    impl->endpoint = net::Endpoint{.tls = true,
                                   .host = config.server_host,
                                   .port = config.port,
                                   .tls_name = config.tls_server_name,
                                   .verify_peer = !config.insecure_skip_tls_verify};
    impl->http = std::make_unique<net::HttpClient>(
        io, std::move(tls).value(),
        net::HttpClientOptions{.max_idle_per_endpoint = 4,
                               .max_answer_bytes = options.max_answer_bytes,
                               .user_agent = options.user_agent});
    impl->config = std::move(config);
    impl->options = std::move(options);
    return std::unique_ptr<KubeClient>(new KubeClient(std::move(impl)));
}

net::awaitable<net::ClientResponse> KubeClient::request(std::string method, std::string target, std::string body,
                                                        std::string content_type) {
    net::ClientRequest request = impl_->make(std::move(method), std::move(target));
    if (!body.empty()) {
        request.headers.emplace_back("Content-Type", std::move(content_type));
        request.body = std::move(body);
    }
    net::ClientResponse response = co_await impl_->http->send(impl_->endpoint, std::move(request),
                                                               impl_->options.request_timeout);
    impl_->after(response);
    co_return response;
}

net::awaitable<net::ClientResponse> KubeClient::stream(std::string target, net::LineHandler on_line) {
    net::ClientRequest request = impl_->make("GET", std::move(target));
    net::ClientResponse response =
        co_await impl_->http->stream_lines(impl_->endpoint, std::move(request), impl_->options.watch, std::move(on_line));
    impl_->after(response);
    co_return response;
}

std::string describe_answer(const net::ClientResponse& response) {
    if (response.kind != net::ClientResponse::Kind::Answered) return response.error;
    std::string problem = "HTTP " + std::to_string(response.status);
    if (auto status = kube::parse_status(response.body)) {
        if (!status->reason.empty()) problem += " " + status->reason;
        if (!status->message.empty()) problem += ": " + status->message;
    }
    return problem;
}

std::string KubeClient::describe() const {
    return "https://" + kube::authority(impl_->config) + impl_->config.base_path + " (" + impl_->config.source + ")";
}

}  // namespace aia::app
