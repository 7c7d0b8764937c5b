#pragma once
// What the review pipeline needs from STS, as an interface: replay one
// presigned GetCallerIdentity request and report what came back (an answer,
// or why none). net::StsClient is the real one; tests script their own.

#include "core/token/presigned_request.hpp"
#include "net/asio.hpp"
#include "net/http_client.hpp"

namespace aia::net {

using StsAnswer = ClientResponse;

class StsFetcher {
public:
    virtual ~StsFetcher() = default;
    // `home`: the token's host is one the server depends on most (the global
    // endpoint, its own region): its name resolves ahead of others.
    virtual awaitable<StsAnswer> get_caller_identity(const token::PresignedRequest& request, bool home) = 0;
};

}  // namespace aia::net
