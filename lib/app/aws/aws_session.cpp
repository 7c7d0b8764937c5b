#include "app/aws/aws_session.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ssl/context.hpp>

#include "app/aws/credential_providers.hpp"
#include "app/logger.hpp"
#include "app/metrics.hpp"
#include "core/util/amz_time.hpp"
#include "net/http_client.hpp"
#include "net/tls_context.hpp"
#include "net/waiters.hpp"

namespace aia::app {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kRetrySetUpAfter{5};

}  // namespace

struct AwsSession::State {
    explicit State(net::asio::io_context& io) : setting_up(io) {}

    std::unique_ptr<net::HttpClient> http;
    std::shared_ptr<RefreshingCredentials> credentials;
    std::unique_ptr<Ec2Resolver> resolver;

    bool busy = false;  // a set-up is running
    std::string last_error;
    Clock::time_point failed_at{};
    net::Waiters setting_up;
};

AwsSession::AwsSession(AwsSessionOptions options, AwsEnvironment environment, Logger& log, Metrics& metrics)
    : options_(std::move(options)),
      environment_(std::move(environment)),
      log_(log),
      metrics_(metrics),
      work_(io_.get_executor()),
      state_(std::make_shared<State>(io_)),
      thread_([this] { io_.run(); }) {}

// Coroutines still suspended keep the state alive (they hold it): the
// io_context's destruction destroys them, and with the last one the state,
// while the io_context's services still exist for its sockets and timers.
AwsSession::~AwsSession() {
    work_.reset();
    io_.stop();
    thread_.join();
}

net::awaitable<Ec2Lookup> AwsSession::private_dns_name(std::string instance_id) {
    co_return co_await net::asio::co_spawn(io_, lookup_here(std::move(instance_id)), net::use_awaitable);
}

net::awaitable<Ec2Lookup> AwsSession::lookup_here(std::string instance_id) {
    const std::shared_ptr<State> state = state_;
    try {
        if (!state->resolver) {
            const std::string problem = co_await set_up();
            if (!problem.empty()) co_return Ec2Lookup{{}, problem};
        }
        co_return co_await state->resolver->lookup(std::move(instance_id));
    } catch (const std::exception& e) {
        co_return Ec2Lookup{{}, std::string("EC2 lookup failed: ") + e.what()};
    }
}

namespace {

// server.region, else the environment's, else the profile's; empty: ask instance metadata.
std::string configured_region(const std::string& configured, const AwsEnvironment& environment) {
    std::string region = configured;
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
        if (region.empty()) region = environment.get(name);
    }
    if (region.empty()) region = profile_region(environment);
    return region;
}

// Every fetch of the server's own credentials is counted and logged.
void report_refreshes(RefreshingCredentials& credentials, Logger& log, Metrics& metrics) {
    credentials.on_refresh([&log, &metrics](const RefreshingCredentials& refreshed, const std::string& error) {
        metrics.aws_credentials_refreshed(error.empty());
        if (!error.empty()) {
            log.warn("could not fetch AWS credentials",
                     {{"source", std::string(refreshed.source())}, {"problem", error}});
            return;
        }
        const auto expiration = refreshed.expiration();
        log.info("fetched AWS credentials",
                 {{"source", std::string(refreshed.source())},
                  {"expires", expiration ? amz_time::format_rfc3339(*expiration) : "never"}});
    });
}

}  // namespace

// Once, on first use; after a failure, again on a lookup at least a few
// seconds later (the instance role may not be attached yet).
net::awaitable<std::string> AwsSession::set_up() {
    const std::shared_ptr<State> keep = state_;
    State& state = *keep;
    if (state.busy) {
        co_await state.setting_up.wait(std::chrono::seconds{30});
        co_return state.resolver ? std::string{} : "AWS set-up: " + state.last_error;
    }
    if (!state.last_error.empty() && Clock::now() - state.failed_at < kRetrySetUpAfter) {
        co_return "AWS set-up: " + state.last_error;
    }
    state.busy = true;
    struct Done {
        State& state;
        ~Done() {
            state.busy = false;
            state.setting_up.wake_all();
        }
    } done{state};
    const auto failed = [&](std::string problem) {
        state.last_error = std::move(problem);
        state.failed_at = Clock::now();
        log_.error("cannot make AWS calls for EC2 lookups", {{"problem", state.last_error}});
        return "AWS set-up: " + state.last_error;
    };

    if (!state.http) {
        auto tls = net::make_client_tls(environment_.get("AWS_CA_BUNDLE"));
        if (!tls) co_return failed("AWS_CA_BUNDLE: " + tls.error());
        state.http = std::make_unique<net::HttpClient>(io_, std::move(tls).value());
    }

    ProviderContext context{io_, *state.http, environment_, {}, options_.call_timeout};
    std::string region = configured_region(options_.region, environment_);
    if (region.empty()) {
        auto from_metadata = co_await metadata_region(context);
        if (!from_metadata)
            co_return failed("no AWS region configured, and instance metadata: " + from_metadata.error());
        region = std::move(from_metadata).value();
    }
    context.region = region;

    auto credentials = default_credentials(context);
    if (!credentials) co_return failed("AWS credentials: " + credentials.error());
    std::shared_ptr<RefreshingCredentials> signing = std::move(credentials).value();
    const std::string chain_source(signing->source());
    if (!options_.ec2_role_arn.empty()) {
        signing = assume_role_credentials(context, signing,
                                          {.role_arn = options_.ec2_role_arn,
                                           .session_name = "aws-iam-authenticator",
                                           .source_arn = options_.source_arn});  // upstream assumes for 60 minutes
    }
    report_refreshes(*signing, log_, metrics_);

    auto endpoint = service_endpoint(environment_, "ec2", region);
    if (!endpoint) co_return failed(endpoint.error());
    Ec2ResolverOptions resolver_options;
    resolver_options.endpoint = std::move(endpoint).value();
    resolver_options.region = region;
    resolver_options.qps = options_.ec2_qps;
    resolver_options.burst = options_.ec2_burst;
    resolver_options.call_timeout = options_.call_timeout;
    log_.info("EC2 lookups ready", {{"region", region},
                                    {"credentials", chain_source},
                                    {"ec2RoleARN", options_.ec2_role_arn},
                                    {"ec2Endpoint", resolver_options.endpoint.host_header}});
    state.credentials = signing;
    state.resolver =
        std::make_unique<Ec2Resolver>(io_, *state.http, std::move(signing), std::move(resolver_options), &metrics_);
    state.last_error.clear();
    co_return std::string{};
}

}  // namespace aia::app
