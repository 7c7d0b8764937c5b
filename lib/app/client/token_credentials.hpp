#pragma once
// The credentials `token` signs with: the AWS SDKs' default chain, or, with
// -r, a role assumed with them (STS AssumeRole), as upstream's client does.

#include <chrono>
#include <string>

#include "app/aws/credential_providers.hpp"
#include "core/util/result.hpp"
#include "net/asio.hpp"

namespace aia::app {

struct TokenCredentialsOptions {
    std::string role_arn;     // -r; empty: the chain's own credentials
    std::string external_id;  // --external-id
    std::string session_name; // --session-name
    // --forward-session-name: the role session is named after the caller's
    // own session (the part after ':' of its STS user ID).
    bool forward_session_name = false;
    std::chrono::seconds role_duration{std::chrono::minutes{15}};  // upstream's (the SDK's default)
};

net::awaitable<Result<aws::AwsCredentials, std::string>> token_credentials(const ProviderContext& context,
                                                                           TokenCredentialsOptions options);

// The session name upstream's SDK makes up when none is given: "aws-go-sdk-<Unix nanoseconds>".
std::string generated_session_name();

}  // namespace aia::app
