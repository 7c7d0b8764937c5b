#pragma once
// The credentials `token` signs with: the AWS SDKs' default chain, or, with
// -r, a role assumed with them (STS AssumeRole), as upstream's client does.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/aws/credential_providers.hpp"
#include "core/util/result.hpp"
#include "net/asio.hpp"

namespace aia::app {

struct TokenCredentialsOptions {
    std::string role_arn;      // -r; empty: the chain's own credentials
    std::string external_id;   // --external-id
    std::string session_name;  // --session-name
    // --forward-session-name: the role session is named after the caller's
    // own session (the part after ':' of its STS user ID).
    bool forward_session_name = false;
    std::chrono::seconds role_duration{std::chrono::minutes{15}};  // upstream's (the SDK's default)
    // The chain's credentials from an earlier run (token --cache): used
    // instead of asking the chain again.
    std::optional<aws::AwsCredentials> cached_base;
};

struct TokenCredentials {
    aws::AwsCredentials base;     // the chain's (what --cache keeps, as upstream)
    aws::AwsCredentials signing;  // what the token is signed with: base, or the assumed role's
};

// `keep_alive` receives the credential objects created; release it only
// after the io_context has stopped (they may have timers pending).
net::awaitable<Result<TokenCredentials, std::string>> token_credentials(
    const ProviderContext& context, TokenCredentialsOptions options,
    std::vector<std::shared_ptr<RefreshingCredentials>>& keep_alive);

// The same, run to completion on the calling thread with a client of its own
// (AWS_CA_BUNDLE honoured): what the `token` command calls. `region` is for
// STS calls (AssumeRole); empty means us-east-1, the SDKs' default.
Result<TokenCredentials, std::string> fetch_token_credentials(const AwsEnvironment& environment,
                                                              const std::string& region,
                                                              TokenCredentialsOptions options);

// The session name upstream's SDK makes up when none is given: "aws-go-sdk-<Unix nanoseconds>".
std::string generated_session_name();

}  // namespace aia::app
