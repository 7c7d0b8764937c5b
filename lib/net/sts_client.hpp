#pragma once
// Replays presigned GetCallerIdentity requests to STS.
//
// One StsClient per worker thread (no locks): it keeps a small pool of
// keep-alive TLS connections per STS host, sends at most one request per
// connection at a time, verifies the certificate and host name, follows no
// redirects, caps the answer's size and bounds the whole exchange with one
// deadline. A pooled connection the peer has closed is retried once on a
// fresh one.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "net/asio.hpp"
#include "core/token/presigned_request.hpp"

namespace boost::asio::ssl {
class context;
}

namespace aia::net {

struct StsClientOptions {
    // Connect here instead of the token's host (Host header and signature
    // stay the token's). Empty host: connect to the token's host on 443.
    std::string override_host;
    std::uint16_t override_port = 443;
    std::chrono::milliseconds timeout{std::chrono::seconds{10}};  // connect + TLS + request + answer
    std::size_t max_idle_per_host = 16;
    std::chrono::seconds max_idle_time{30};  // STS closes idle connections; do not reuse older ones
    std::size_t max_answer_bytes = 64 * 1024;
    std::string user_agent = "aws-iam-authenticator-cpp";
};

struct StsAnswer {
    enum class Kind {
        Answered,     // an HTTP answer arrived (any status)
        Unreachable,  // resolve, connect or TLS failed
        TimedOut,     // the deadline passed
        Broken,       // the peer sent something that is not an acceptable HTTP answer
    };
    Kind kind = Kind::Answered;
    unsigned status = 0;   // when Answered
    std::string body;      // when Answered
    std::string error;     // otherwise: what went wrong, for the log
    bool reused_connection = false;
};

class StsClient {
public:
    StsClient(asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> tls, StsClientOptions options);
    ~StsClient();
    StsClient(const StsClient&) = delete;
    StsClient& operator=(const StsClient&) = delete;

    awaitable<StsAnswer> get_caller_identity(const token::PresignedRequest& request);

    // Connections opened so far (for tests and metrics).
    std::size_t connections_opened() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace aia::net
