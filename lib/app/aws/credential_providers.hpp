#pragma once
// Where the server's own AWS credentials come from: the AWS SDKs' default
// provider chain, in their order, and credentials that refresh themselves.
//
//   1. environment   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
//   2. web identity  AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE -> STS AssumeRoleWithWebIdentity (IRSA)
//   3. container     AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI with
//                    AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE] (ECS, EKS Pod Identity)
//   4. shared files  ~/.aws/credentials and ~/.aws/config (AWS_PROFILE,
//                    AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE), role_arn +
//                    source_profile chains through STS AssumeRole (mfa_serial: a code is
//                    asked for), IAM Identity Center (SSO) profiles, credential_process
//   5. instance metadata (IMDSv2 session tokens)
// The first source that is configured is used (as the SDKs do, by the
// presence of its settings); its failures are reported, not skipped over.
//
// Everything here runs on the AWS thread's io_context (see AwsSession): no locks.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/aws/aws_environment.hpp"
#include "core/aws/aws_credentials.hpp"
#include "core/identity/sts_answer.hpp"
#include "core/util/result.hpp"
#include "net/asio.hpp"
#include "net/http_client.hpp"

namespace aia::app {

using CredentialsResult = Result<aws::AwsCredentials, std::string>;

class CredentialProvider {
public:
    virtual ~CredentialProvider() = default;
    virtual std::string_view name() const = 0;
    // One fetch from the source (no caching here).
    virtual net::awaitable<CredentialsResult> fetch() = 0;
};

// Credentials kept fresh. Requests get the cached ones while they are
// good. Temporary credentials renew themselves in the background from
// shortly before expiry (5 minutes, or a quarter of their lifetime if
// shorter), so requests never wait for them after the first fetch; only
// missing or expired credentials make a request wait, and concurrent
// waiters share one fetch. Destroy only once the io_context has stopped.
class RefreshingCredentials {
public:
    // Called after every fetch: `error` is empty when it succeeded.
    using Observer = std::function<void(const RefreshingCredentials&, const std::string& error)>;

    RefreshingCredentials(net::asio::io_context& io, std::unique_ptr<CredentialProvider> provider);
    ~RefreshingCredentials();
    RefreshingCredentials(const RefreshingCredentials&) = delete;
    RefreshingCredentials& operator=(const RefreshingCredentials&) = delete;

    net::awaitable<CredentialsResult> get();

    std::string_view source() const { return provider_->name(); }
    // The current credentials' expiry, if they are temporary.
    std::optional<amz_time::Seconds> expiration() const;
    void on_refresh(Observer observer) { observer_ = std::move(observer); }

private:
    struct State;
    bool usable(amz_time::Seconds now) const;
    void start_refresh();
    net::awaitable<void> refresh();

    net::asio::io_context& io_;
    std::unique_ptr<CredentialProvider> provider_;
    std::shared_ptr<State> state_;
    Observer observer_;
};

// What the providers need to make their own calls.
struct ProviderContext {
    net::asio::io_context& io;
    net::HttpClient& http;
    const AwsEnvironment& environment;
    std::string region;  // for STS calls (AssumeRole, web identity)
    std::chrono::milliseconds timeout{std::chrono::seconds{5}};
    std::chrono::milliseconds metadata_timeout{std::chrono::seconds{1}};  // instance metadata is local: fail fast
    // Asks the user for the current code of an MFA device (a profile's
    // mfa_serial); unset where nobody can be asked (the server).
    std::function<Result<std::string, std::string>(const std::string& mfa_serial)> mfa_token_code;
    std::chrono::milliseconds process_timeout{std::chrono::minutes{1}};  // a credential_process's run
};

// The default chain's first configured source, refreshing itself. (A
// shared-files role chain is several links, each refreshing itself; this is
// the last.)
Result<std::shared_ptr<RefreshingCredentials>, std::string> default_credentials(const ProviderContext& context);

// Credentials known already (from a cache): they are what they are, until
// they expire.
std::shared_ptr<RefreshingCredentials> fixed_credentials(const ProviderContext& context,
                                                         aws::AwsCredentials credentials, std::string name);

// What to ask STS AssumeRole for.
struct AssumeRoleRequest {
    std::string role_arn;
    std::string session_name;
    std::string external_id;  // optional
    std::string source_arn;   // optional: upstream's x-amz-source-account / x-amz-source-arn
    std::string mfa_serial;   // optional: the MFA device whose code is asked for (ProviderContext::mfa_token_code)
    std::chrono::seconds duration{3600};
};

// `base` assumes the role (STS AssumeRole, signed with base's credentials).
std::shared_ptr<RefreshingCredentials> assume_role_credentials(const ProviderContext& context,
                                                               std::shared_ptr<RefreshingCredentials> base,
                                                               AssumeRoleRequest request);

// STS GetCallerIdentity signed with `credentials`: who they belong to
// (`token --forward-session-name` reads the session name from it).
net::awaitable<Result<identity::StsAnswer, std::string>> get_caller_identity(const ProviderContext& context,
                                                                             const aws::AwsCredentials& credentials);

// The region the AWS profile in use names in the shared config file, if any.
std::string profile_region(const AwsEnvironment& environment);

// The region from instance metadata (the last resort of region resolution).
net::awaitable<Result<std::string, std::string>> metadata_region(const ProviderContext& context);

}  // namespace aia::app
