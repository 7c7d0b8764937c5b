#include "app/aws/credential_providers.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>

#include "app/aws/credential_process.hpp"
#include "app/aws/query_request.hpp"
#include "app/aws/sso_credentials.hpp"
#include "app/file_reading.hpp"
#include "app/wall_clock.hpp"
#include "core/aws/credential_documents.hpp"
#include "core/aws/process_credentials.hpp"
#include "core/aws/shared_config.hpp"
#include "core/identity/sts_error.hpp"
#include "core/util/ascii.hpp"
#include "core/util/percent_encoding.hpp"
#include "net/waiters.hpp"

namespace aia::app {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::minutes kMaxRefreshMargin{5};
constexpr std::chrono::seconds kRetryAfterFailure{5};
constexpr std::chrono::seconds kMaxWait{30};
constexpr std::string_view kStsVersion = "2011-06-15";

std::optional<std::string> read_text_file(const std::string& path) {
    auto read = read_file(path, kMaxSmallFileBytes);
    if (!read) return std::nullopt;
    std::string content = std::move(read).value();
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r' || content.back() == ' '))
        content.pop_back();
    return content;
}

std::string form_value(std::string_view value) { return percent::encode_sigv4(value); }

std::string describe_failure(const net::ClientResponse& response) {
    if (response.kind != net::ClientResponse::Kind::Answered) return response.error;
    const auto summary = identity::summarize_sts_error(response.body);
    return "HTTP " + std::to_string(response.status) + (summary.code.empty() ? "" : " " + summary.code) +
           (summary.message.empty() ? "" : ": " + summary.message);
}

// A POST to STS, signed when `credentials` are given.
struct StsCall {
    net::Endpoint endpoint;
    net::ClientRequest request;
};

Result<StsCall, std::string> sts_post(const ProviderContext& context, std::string body,
                                      const aws::AwsCredentials* credentials,
                                      std::vector<std::pair<std::string, std::string>> extra_headers = {}) {
    auto endpoint = service_endpoint(context.environment, "sts", context.region);
    if (!endpoint) return fail(std::move(endpoint).error());
    const std::string_view region = context.region.empty() ? std::string_view("us-east-1") : context.region;
    net::ClientRequest request =
        query_request(*endpoint, {"sts", region, std::move(body), std::move(extra_headers)}, credentials);
    return StsCall{std::move(endpoint).value().endpoint, std::move(request)};
}

net::awaitable<net::ClientResponse> send_sts(const ProviderContext& context, Result<StsCall, std::string> call) {
    if (!call) {
        net::ClientResponse problem;
        problem.kind = net::ClientResponse::Kind::Unreachable;
        problem.error = call.error();
        co_return problem;
    }
    co_return co_await context.http.send(call->endpoint, std::move(call->request), context.timeout);
}

class StaticProvider : public CredentialProvider {
public:
    StaticProvider(aws::AwsCredentials credentials, std::string name)
        : credentials_(std::move(credentials)), name_(std::move(name)) {
        credentials_.source = name_;
    }
    std::string_view name() const override { return name_; }
    net::awaitable<CredentialsResult> fetch() override { co_return credentials_; }

private:
    aws::AwsCredentials credentials_;
    std::string name_;
};

class WebIdentityProvider : public CredentialProvider {
public:
    WebIdentityProvider(ProviderContext context, std::string role_arn, std::string token_file, std::string session_name)
        : context_(std::move(context)),
          role_arn_(std::move(role_arn)),
          token_file_(std::move(token_file)),
          session_name_(std::move(session_name)) {}
    std::string_view name() const override { return "web identity"; }

    net::awaitable<CredentialsResult> fetch() override {
        // Re-read every time: the kubelet rotates projected tokens.
        const auto token = read_text_file(token_file_);
        if (!token || token->empty()) co_return fail("cannot read the web identity token file " + token_file_);
        const std::string body = "Action=AssumeRoleWithWebIdentity&Version=" + std::string(kStsVersion) +
                                 "&RoleArn=" + form_value(role_arn_) + "&RoleSessionName=" + form_value(session_name_) +
                                 "&WebIdentityToken=" + form_value(*token);
        const net::ClientResponse response = co_await send_sts(context_, sts_post(context_, body, nullptr));
        if (response.kind != net::ClientResponse::Kind::Answered || response.status != 200) {
            co_return fail("STS AssumeRoleWithWebIdentity for " + role_arn_ + " failed: " + describe_failure(response));
        }
        auto credentials = aws::parse_sts_credentials_xml(response.body);
        if (!credentials) co_return fail("STS AssumeRoleWithWebIdentity: " + credentials.error());
        credentials->source = "web identity";
        co_return std::move(credentials).value();
    }

private:
    ProviderContext context_;
    std::string role_arn_, token_file_, session_name_;
};

// A profile's credential_process, run at each fetch (it may hand out
// temporary credentials).
class ProcessProvider : public CredentialProvider {
public:
    ProcessProvider(ProviderContext context, std::string command, std::string profile_name)
        : context_(std::move(context)), command_(std::move(command)), profile_(std::move(profile_name)) {}
    std::string_view name() const override { return "credential_process"; }

    net::awaitable<CredentialsResult> fetch() override {
        auto output = run_credential_process(command_, context_.process_timeout);
        if (!output) co_return fail("profile " + profile_ + ": credential_process failed: " + output.error());
        auto credentials = aws::parse_process_credentials(*output, wall_clock_now());
        if (!credentials) co_return fail("profile " + profile_ + ": credential_process: " + credentials.error());
        credentials->source = "credential_process";
        co_return std::move(credentials).value();
    }

private:
    ProviderContext context_;
    std::string command_, profile_;
};

// Where plain HTTP container endpoints may be: the SDKs allow only these,
// so a tampered environment cannot send our Authorization token elsewhere.
bool allowed_container_host(const net::Endpoint& endpoint) {
    if (endpoint.tls) return true;
    const std::string& host = endpoint.host;
    return host.starts_with("127.") || host == "localhost" || host == "::1" || host == "169.254.170.2" ||
           host == "169.254.170.23" || host == "fd00:ec2::23";
}

class ContainerProvider : public CredentialProvider {
public:
    ContainerProvider(ProviderContext context, UrlEndpoint endpoint)
        : context_(std::move(context)), endpoint_(std::move(endpoint)) {}
    std::string_view name() const override { return "container"; }

    net::awaitable<CredentialsResult> fetch() override {
        net::ClientRequest request{
            "GET", endpoint_.path, {{"Host", endpoint_.host_header}, {"Accept", "application/json"}}, {}};
        std::string token = context_.environment.get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        if (const std::string file = context_.environment.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
            !file.empty()) {
            const auto from_file = read_text_file(file);
            if (!from_file) co_return fail("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + file);
            token = *from_file;
        }
        if (!token.empty()) request.headers.emplace_back("Authorization", token);
        const net::ClientResponse response =
            co_await context_.http.send(endpoint_.endpoint, std::move(request), context_.timeout);
        if (response.kind != net::ClientResponse::Kind::Answered || response.status != 200) {
            co_return fail("container credentials endpoint failed: " + describe_failure(response));
        }
        auto credentials = aws::parse_credentials_json(response.body);
        if (!credentials) co_return fail("container credentials: " + credentials.error());
        credentials->source = "container";
        co_return std::move(credentials).value();
    }

private:
    ProviderContext context_;
    UrlEndpoint endpoint_;
};

// IMDSv2: a session token (PUT), then the role name and its credentials (GET).
class MetadataClient {
public:
    MetadataClient(ProviderContext context, UrlEndpoint endpoint)
        : context_(std::move(context)), endpoint_(std::move(endpoint)) {}

    net::awaitable<Result<std::string, std::string>> get(const std::string& path) {
        if (token_.empty() || Clock::now() >= token_expires_) {
            net::ClientRequest put{"PUT",
                                   "/latest/api/token",
                                   {{"Host", endpoint_.host_header}, {"X-aws-ec2-metadata-token-ttl-seconds", "21600"}},
                                   {}};
            const auto response =
                co_await context_.http.send(endpoint_.endpoint, std::move(put), context_.metadata_timeout);
            if (response.kind != net::ClientResponse::Kind::Answered || response.status != 200 ||
                response.body.empty()) {
                co_return fail("instance metadata token request failed: " + describe_failure(response));
            }
            token_ = response.body;
            token_expires_ = Clock::now() + std::chrono::hours{6} - std::chrono::minutes{1};
        }
        net::ClientRequest request{
            "GET", path, {{"Host", endpoint_.host_header}, {"X-aws-ec2-metadata-token", token_}}, {}};
        const auto response =
            co_await context_.http.send(endpoint_.endpoint, std::move(request), context_.metadata_timeout);
        if (response.kind == net::ClientResponse::Kind::Answered && response.status == 401) token_.clear();
        if (response.kind != net::ClientResponse::Kind::Answered || response.status != 200) {
            co_return fail("instance metadata " + path + " failed: " + describe_failure(response));
        }
        co_return response.body;
    }

private:
    ProviderContext context_;
    UrlEndpoint endpoint_;
    std::string token_;
    Clock::time_point token_expires_{};
};

Result<UrlEndpoint, std::string> metadata_endpoint(const AwsEnvironment& environment) {
    if (ascii::to_lower(environment.get("AWS_EC2_METADATA_DISABLED")) == "true")
        return fail("instance metadata is disabled (AWS_EC2_METADATA_DISABLED)");
    const std::string url = environment.get("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    return parse_url_endpoint(url.empty() ? "http://169.254.169.254" : url);
}

class InstanceMetadataProvider : public CredentialProvider {
public:
    InstanceMetadataProvider(ProviderContext context, UrlEndpoint endpoint)
        : metadata_(std::move(context), std::move(endpoint)) {}
    std::string_view name() const override { return "instance metadata"; }

    net::awaitable<CredentialsResult> fetch() override {
        constexpr std::string_view kPath = "/latest/meta-data/iam/security-credentials/";
        auto role = co_await metadata_.get(std::string(kPath));
        if (!role) co_return fail(std::move(role).error());
        const std::string name = role->substr(0, role->find('\n'));
        auto document = co_await metadata_.get(std::string(kPath) + name);
        if (!document) co_return fail(std::move(document).error());
        auto credentials = aws::parse_credentials_json(*document);
        if (!credentials) co_return fail("instance metadata credentials: " + credentials.error());
        credentials->source = "instance metadata";
        co_return std::move(credentials).value();
    }

private:
    MetadataClient metadata_;
};

class AssumeRoleProvider : public CredentialProvider {
public:
    AssumeRoleProvider(ProviderContext context, std::shared_ptr<RefreshingCredentials> base, AssumeRoleRequest request)
        : context_(std::move(context)),
          base_(std::move(base)),
          request_(std::move(request)),
          name_("assumed role " + request_.role_arn) {}
    std::string_view name() const override { return name_; }

// g++ 12 wrongly reports Asio's coroutine frame allocation as mismatched
// with its deallocation once this coroutine's calls are inlined (GCC bug 109224).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
    net::awaitable<CredentialsResult> fetch() override {
        auto base = co_await base_->get();
        const std::string& role_arn = request_.role_arn;
        if (!base) co_return fail("credentials to assume " + role_arn + " with: " + base.error());
        std::string body = "Action=AssumeRole&Version=" + std::string(kStsVersion) +
                           "&RoleArn=" + form_value(role_arn) +
                           "&RoleSessionName=" + form_value(request_.session_name) +
                           "&DurationSeconds=" + std::to_string(request_.duration.count());
        if (!request_.external_id.empty()) body += "&ExternalId=" + form_value(request_.external_id);
        if (!request_.mfa_serial.empty()) {
            auto code = mfa_token_code();
            if (!code) co_return fail(std::move(code).error());
            body += "&SerialNumber=" + form_value(request_.mfa_serial) + "&TokenCode=" + form_value(*code);
        }
        std::vector<std::pair<std::string, std::string>> headers;
        if (const std::string& source_arn = request_.source_arn; !source_arn.empty()) {
            // Upstream's confused-deputy guard: the role's trust policy can require these.
            const std::vector<std::string_view> sections = split_arn(source_arn);
            if (sections.size() == 6) headers.emplace_back("x-amz-source-account", std::string(sections[4]));
            headers.emplace_back("x-amz-source-arn", source_arn);
        }
        const net::ClientResponse response =
            co_await send_sts(context_, sts_post(context_, std::move(body), &base.value(), std::move(headers)));
        if (response.kind != net::ClientResponse::Kind::Answered || response.status != 200) {
            co_return fail("STS AssumeRole " + role_arn + " failed: " + describe_failure(response));
        }
        auto credentials = aws::parse_sts_credentials_xml(response.body);
        if (!credentials) co_return fail("STS AssumeRole: " + credentials.error());
        credentials->source = name_;
        co_return std::move(credentials).value();
    }
#pragma GCC diagnostic pop

private:
    // The code of the MFA device the role's trust policy asks for, typed by the user.
    Result<std::string, std::string> mfa_token_code() const {
        if (!context_.mfa_token_code) {
            return fail("assuming " + request_.role_arn + " needs a code of MFA device " + request_.mfa_serial +
                        " (mfa_serial), and nothing here can ask for one");
        }
        auto code = context_.mfa_token_code(request_.mfa_serial);
        if (!code) return fail("MFA code for " + request_.role_arn + ": " + code.error());
        return code;
    }

    static std::vector<std::string_view> split_arn(std::string_view arn) {
        std::vector<std::string_view> out;
        for (int i = 0; i < 5; ++i) {
            const std::size_t colon = arn.find(':');
            if (colon == std::string_view::npos) return out;
            out.push_back(arn.substr(0, colon));
            arn.remove_prefix(colon + 1);
        }
        out.push_back(arn);
        return out;
    }

    ProviderContext context_;
    std::shared_ptr<RefreshingCredentials> base_;
    AssumeRoleRequest request_;
    std::string name_;
};

aws::SharedConfig read_shared_config(const AwsEnvironment& env) {
    const std::string home = env.get("HOME");
    const std::string credentials_path =
        env.has("AWS_SHARED_CREDENTIALS_FILE") ? env.get("AWS_SHARED_CREDENTIALS_FILE") : home + "/.aws/credentials";
    const std::string config_path = env.has("AWS_CONFIG_FILE") ? env.get("AWS_CONFIG_FILE") : home + "/.aws/config";
    return aws::parse_shared_config(read_text_file(credentials_path).value_or(""),
                                    read_text_file(config_path).value_or(""));
}

std::string default_session_name() {
    return "aws-iam-authenticator-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                         std::chrono::system_clock::now().time_since_epoch())
                                                         .count());
}

}  // namespace

struct RefreshingCredentials::State {
    explicit State(net::asio::io_context& io) : waiters(io), refresh_timer(io) {}
    std::optional<aws::AwsCredentials> current;
    amz_time::Seconds obtained{};
    bool refreshing = false;
    std::string last_error;
    Clock::time_point failed_at{};
    net::Waiters waiters;
    net::asio::steady_timer refresh_timer;
};

namespace {

// Temporary credentials are refreshed from `margin` before expiry and no
// longer used from `guard` before it (a signed call must arrive in time).
struct Lifetime {
    std::chrono::seconds margin, guard;
};

Lifetime lifetime_of(const aws::AwsCredentials& credentials, amz_time::Seconds obtained) {
    const auto lifetime = std::max(std::chrono::seconds{0}, *credentials.expiration - obtained);
    return {std::min<std::chrono::seconds>(kMaxRefreshMargin, lifetime / 4),
            std::min<std::chrono::seconds>(std::chrono::seconds{10}, lifetime / 8)};
}

}  // namespace

RefreshingCredentials::RefreshingCredentials(net::asio::io_context& io, std::unique_ptr<CredentialProvider> provider)
    : io_(io), provider_(std::move(provider)), state_(std::make_shared<State>(io)) {}

RefreshingCredentials::~RefreshingCredentials() { state_->refresh_timer.cancel(); }

std::optional<amz_time::Seconds> RefreshingCredentials::expiration() const {
    return state_->current ? state_->current->expiration : std::nullopt;
}

bool RefreshingCredentials::usable(amz_time::Seconds now) const {
    const State& state = *state_;
    if (!state.current) return false;
    if (!state.current->expiration) return true;
    return now < *state.current->expiration - lifetime_of(*state.current, state.obtained).guard;
}

void RefreshingCredentials::start_refresh() {
    if (state_->refreshing) return;
    state_->refreshing = true;
    net::asio::co_spawn(io_, refresh(), net::asio::detached);
}

net::awaitable<void> RefreshingCredentials::refresh() {
    auto state = state_;  // the frame keeps the state alive
    CredentialsResult fetched = co_await provider_->fetch();
    state->refreshing = false;
    std::chrono::seconds next_refresh{0};
    if (fetched) {
        state->current = std::move(fetched).value();
        state->obtained = wall_clock_now();
        state->last_error.clear();
        if (state->current->expiration) {
            next_refresh =
                *state->current->expiration - lifetime_of(*state->current, state->obtained).margin - state->obtained;
        }
    } else {
        state->last_error = std::move(fetched).error();
        state->failed_at = Clock::now();
        if (state->current && state->current->expiration) next_refresh = kRetryAfterFailure;
    }
    if (observer_) observer_(*this, fetched ? std::string{} : state->last_error);
    state->waiters.wake_all();

    // Temporary credentials renew themselves ahead of expiry, so requests
    // never wait for them once the first fetch is done.
    if (next_refresh > std::chrono::seconds{0} || (state->current && state->current->expiration)) {
        state->refresh_timer.expires_after(std::max<std::chrono::seconds>(next_refresh, std::chrono::seconds{1}));
        state->refresh_timer.async_wait(
            [this, weak = std::weak_ptr<State>(state)](const boost::system::error_code& ec) {
                if (!ec && weak.lock()) start_refresh();
            });
    }
}

net::awaitable<CredentialsResult> RefreshingCredentials::get() {
    auto state = state_;
    if (usable(wall_clock_now())) co_return *state->current;

    // Nothing usable: share the one fetch, unless one just failed.
    if (!state->refreshing) {
        if (!state->last_error.empty() && Clock::now() - state->failed_at < kRetryAfterFailure) {
            co_return fail(state->last_error);
        }
        start_refresh();
    }
    co_await state->waiters.wait(kMaxWait);
    if (usable(wall_clock_now())) co_return *state->current;
    co_return fail(state->last_error.empty() ? std::string("timed out waiting for credentials") : state->last_error);
}

namespace {

using Chain = Result<std::shared_ptr<RefreshingCredentials>, std::string>;

std::shared_ptr<RefreshingCredentials> refreshing(const ProviderContext& context,
                                                  std::unique_ptr<CredentialProvider> provider) {
    return std::make_shared<RefreshingCredentials>(context.io, std::move(provider));
}

// The first link of a chain: where the credentials come from.
Chain start_credentials(const ProviderContext& context, aws::CredentialPlan::Start start, const aws::Profile& base) {
    const AwsEnvironment& env = context.environment;
    using Start = aws::CredentialPlan::Start;
    switch (start) {
        case Start::StaticKeys:
            return refreshing(
                context, std::make_unique<StaticProvider>(
                             aws::AwsCredentials{
                                 {base.access_key_id, base.secret_access_key, base.session_token}, std::nullopt, {}},
                             "shared credentials file"));
        case Start::Environment:
            return refreshing(context,
                              std::make_unique<StaticProvider>(
                                  aws::AwsCredentials{{env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"),
                                                       env.get("AWS_SESSION_TOKEN")},
                                                      std::nullopt,
                                                      {}},
                                  "environment"));
        case Start::WebIdentity:
            return refreshing(context,
                              std::make_unique<WebIdentityProvider>(
                                  context, base.role_arn, base.web_identity_token_file,
                                  base.role_session_name.empty() ? default_session_name() : base.role_session_name));
        case Start::EcsContainer: {
            auto endpoint = parse_url_endpoint(env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
            if (!endpoint) return fail(endpoint.error());
            return refreshing(context, std::make_unique<ContainerProvider>(context, std::move(endpoint).value()));
        }
        case Start::Ec2InstanceMetadata: {
            auto endpoint = metadata_endpoint(env);
            if (!endpoint) return fail(endpoint.error());
            return refreshing(context,
                              std::make_unique<InstanceMetadataProvider>(context, std::move(endpoint).value()));
        }
        case Start::Sso:
        case Start::Process:
            break;  // profiles only: see profile_start
    }
    return fail(std::string("unknown credential source"));
}

Chain container_credentials(const ProviderContext& context) {
    const AwsEnvironment& env = context.environment;
    const std::string url = env.has("AWS_CONTAINER_CREDENTIALS_FULL_URI")
                                ? env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
                                : "http://169.254.170.2" + env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    auto endpoint = parse_url_endpoint(url);
    if (!endpoint) return fail("container credentials URI: " + endpoint.error());
    if (!allowed_container_host(endpoint->endpoint)) {
        return fail("container credentials over plain HTTP must go to a loopback or ECS/EKS link-local address, not " +
                    endpoint->endpoint.host);
    }
    return refreshing(context, std::make_unique<ContainerProvider>(context, std::move(endpoint).value()));
}

// The first link of a profile's chain; SSO and credential_process exist only in profiles.
Chain profile_start(const ProviderContext& context, const aws::CredentialPlan& plan) {
    using Start = aws::CredentialPlan::Start;
    if (plan.start == Start::Sso) return refreshing(context, make_sso_provider(context, plan.sso, plan.base_name));
    if (plan.start == Start::Process) {
        return refreshing(context,
                          std::make_unique<ProcessProvider>(context, plan.base.credential_process, plan.base_name));
    }
    return start_credentials(context, plan.start, plan.base);
}

std::chrono::seconds role_duration(const aws::Profile& role) {
    const std::string& text = role.duration_seconds;
    if (text.empty() || text.size() > 6 || !ascii::all_of_digits(text)) return std::chrono::seconds{900};
    return std::chrono::seconds{std::stol(text)};
}

// A profile of the shared files: its source, then each role it assumes in turn.
Chain profile_credentials(const ProviderContext& context, const aws::SharedConfig& shared,
                          const std::string& profile_name) {
    auto plan = aws::plan_credentials(shared, profile_name);
    if (!plan) return fail(plan.error());
    auto chain = profile_start(context, *plan);
    if (!chain) return chain;
    std::shared_ptr<RefreshingCredentials> current = std::move(chain).value();
    for (const aws::Profile& role : plan->roles) {
        current = assume_role_credentials(
            context, current,
            {.role_arn = role.role_arn,
             .session_name = role.role_session_name.empty() ? default_session_name() : role.role_session_name,
             .external_id = role.external_id,
             .mfa_serial = role.mfa_serial,
             .duration = role_duration(role)});
    }
    return current;
}

}  // namespace

Result<std::shared_ptr<RefreshingCredentials>, std::string> default_credentials(const ProviderContext& context) {
    const AwsEnvironment& env = context.environment;
    // 1. environment
    if (env.has("AWS_ACCESS_KEY_ID") && env.has("AWS_SECRET_ACCESS_KEY")) {
        return start_credentials(context, aws::CredentialPlan::Start::Environment, {});
    }
    // 2. web identity
    if (env.has("AWS_ROLE_ARN") && env.has("AWS_WEB_IDENTITY_TOKEN_FILE")) {
        aws::Profile profile;
        profile.role_arn = env.get("AWS_ROLE_ARN");
        profile.web_identity_token_file = env.get("AWS_WEB_IDENTITY_TOKEN_FILE");
        profile.role_session_name = env.get("AWS_ROLE_SESSION_NAME");
        return start_credentials(context, aws::CredentialPlan::Start::WebIdentity, profile);
    }
    // 3. container
    if (env.has("AWS_CONTAINER_CREDENTIALS_FULL_URI") || env.has("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
        return container_credentials(context);
    }
    // 4. shared files
    const std::string profile_name = env.has("AWS_PROFILE") ? env.get("AWS_PROFILE") : "default";
    const aws::SharedConfig shared = read_shared_config(env);
    const auto profile = shared.profiles.find(profile_name);
    const bool profile_has_credentials =
        profile != shared.profiles.end() &&
        (!profile->second.access_key_id.empty() || !profile->second.role_arn.empty() ||
         !profile->second.web_identity_token_file.empty() || !profile->second.credential_source.empty() ||
         aws::has_sso_settings(profile->second) || !profile->second.credential_process.empty());
    // A named profile must work; the default one is used when it holds credentials.
    if (env.has("AWS_PROFILE") || profile_has_credentials) return profile_credentials(context, shared, profile_name);
    // 5. instance metadata
    return start_credentials(context, aws::CredentialPlan::Start::Ec2InstanceMetadata, {});
}

std::shared_ptr<RefreshingCredentials> fixed_credentials(const ProviderContext& context,
                                                         aws::AwsCredentials credentials, std::string name) {
    return std::make_shared<RefreshingCredentials>(
        context.io, std::make_unique<StaticProvider>(std::move(credentials), std::move(name)));
}

std::shared_ptr<RefreshingCredentials> assume_role_credentials(const ProviderContext& context,
                                                               std::shared_ptr<RefreshingCredentials> base,
                                                               AssumeRoleRequest request) {
    return std::make_shared<RefreshingCredentials>(
        context.io, std::make_unique<AssumeRoleProvider>(context, std::move(base), std::move(request)));
}

namespace {
Result<StsCall, std::string> caller_identity_call(const ProviderContext& context,
                                                  const aws::AwsCredentials& credentials) {
    return sts_post(context, "Action=GetCallerIdentity&Version=" + std::string(kStsVersion), &credentials,
                    {{"accept", "application/json"}});
}
}  // namespace

net::awaitable<Result<identity::StsAnswer, std::string>> get_caller_identity(const ProviderContext& context,
                                                                             const aws::AwsCredentials& credentials) {
    // (Built before co_await: g++ 12 miscompiles braced lists in a coroutine's co_await expression.)
    Result<StsCall, std::string> call = caller_identity_call(context, credentials);
    const net::ClientResponse response = co_await send_sts(context, std::move(call));
    if (response.kind != net::ClientResponse::Kind::Answered || response.status != 200) {
        co_return fail("STS GetCallerIdentity failed: " + describe_failure(response));
    }
    auto answer = identity::parse_sts_answer(response.body);
    if (!answer) co_return fail(answer.error().message());
    co_return std::move(answer).value();
}

std::string profile_region(const AwsEnvironment& environment) {
    const aws::SharedConfig shared = read_shared_config(environment);
    const auto profile =
        shared.profiles.find(environment.has("AWS_PROFILE") ? environment.get("AWS_PROFILE") : "default");
    return profile == shared.profiles.end() ? std::string{} : profile->second.region;
}

net::awaitable<Result<std::string, std::string>> metadata_region(const ProviderContext& context) {
    auto endpoint = metadata_endpoint(context.environment);
    if (!endpoint) co_return fail(std::move(endpoint).error());
    MetadataClient client(context, std::move(endpoint).value());
    auto region = co_await client.get("/latest/meta-data/placement/region");
    if (!region) co_return fail(std::move(region).error());
    co_return std::move(region).value();
}

}  // namespace aia::app
