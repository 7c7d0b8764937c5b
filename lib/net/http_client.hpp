#pragma once
// An HTTP/1.1 client for the server's calls to AWS: STS (token replays,
// AssumeRole), EC2, instance metadata and container credential endpoints.
//
// One HttpClient per io_context thread (no locks). It keeps a small pool of
// keep-alive connections per endpoint, sends at most one request per
// connection at a time, verifies TLS certificates and host names, follows
// no redirects, caps the answer's size and bounds the whole exchange
// (DNS included) with one deadline. Names are resolved by a HostResolver,
// which the clients of all workers share. A pooled connection the peer has closed
// meanwhile is retried once on a fresh one; a connection is pooled again
// only after a complete final answer with nothing left over, and closed
// once it has waited max_idle_time (a timer runs while any is pooled).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/asio.hpp"
#include "net/host_resolver.hpp"

namespace boost::asio::ssl {
class context;
}

namespace aia::net {

struct Endpoint {
    bool tls = true;
    std::string host;  // what to connect to (a name or an IP literal)
    std::uint16_t port = 443;
    std::string tls_name;   // the name the certificate must carry; empty: host
    bool priority = false;  // resolved ahead of other names (see HostResolver)
    // Off only where an operator asked for it explicitly (a kubeconfig's
    // insecure-skip-tls-verify, allowed by flag): the peer is not checked.
    bool verify_peer = true;

    std::string pool_key() const;
};

struct ClientRequest {
    std::string method = "GET";
    std::string target = "/";
    std::vector<std::pair<std::string, std::string>> headers;  // Host included
    std::string body;
};

struct ClientResponse {
    enum class Kind {
        Answered,     // an HTTP answer arrived (any status)
        Unreachable,  // resolve, connect or TLS failed
        TimedOut,     // the deadline passed
        Broken,       // the peer sent something that is not an acceptable HTTP answer
        Skipped,      // not attempted: the name failed to resolve moments ago, or too many lookups wait
    };
    Kind kind = Kind::Answered;
    std::string_view skipped_because;  // when Skipped: "resolve_failed" or "resolve_busy"
    unsigned status = 0;               // when Answered
    std::string body;                  // when Answered
    std::string error;                 // otherwise: what went wrong, for the log
    bool reused_connection = false;
};

// A GET whose answer is a stream of lines (a Kubernetes watch: one JSON
// event per line, as long as the server keeps the connection open).
struct LineStreamOptions {
    std::chrono::milliseconds header_timeout{std::chrono::seconds{10}};  // connect to the end of the headers
    std::chrono::milliseconds idle_timeout{std::chrono::seconds{60}};    // between bytes once streaming
    std::size_t max_line_bytes = 4 * 1024 * 1024;                        // a longer line ends the stream
};
// Called with each complete line (without its line end) as it arrives;
// returns false to end the stream.
using LineHandler = std::function<bool(std::string_view line)>;

struct HttpClientOptions {
    // Above the concurrency a worker sees: a pool smaller than the requests
    // in flight drops connections after each burst and pays a TLS handshake
    // for them on the next (at 16, one request in six did under load).
    std::size_t max_idle_per_endpoint = 256;
    std::chrono::seconds max_idle_time{30};  // servers close idle connections; do not reuse older ones
    // Called (on the client's thread) when pooled connections were closed
    // for their age with no request to notice: their memory is free again.
    std::function<void(std::size_t closed)> on_idle_closed;
    std::size_t max_answer_bytes = 64 * 1024;
    std::string user_agent = "aws-iam-authenticator-cpp";
    // Shared with other clients; null: the client makes a small one of its own.
    std::shared_ptr<HostResolver> resolver;
};

class HttpClient {
public:
    // `tls` may be null when only plain-HTTP endpoints are used.
    HttpClient(asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> tls, HttpClientOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    awaitable<ClientResponse> send(const Endpoint& endpoint, ClientRequest request, std::chrono::milliseconds timeout);

    // Streams a 2xx answer's body line by line to `on_line`, on a connection
    // of its own (never pooled), until the server ends it, the handler
    // returns false, or a bound is passed (then kind is TimedOut or Broken,
    // with status set). Any other answer is read whole, up to
    // max_answer_bytes, and returned with its body, `on_line` never called.
    awaitable<ClientResponse> stream_lines(const Endpoint& endpoint, ClientRequest request, LineStreamOptions options,
                                           LineHandler on_line);

    // Connections opened so far (for tests and metrics).
    std::size_t connections_opened() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace aia::net
