#include "app/authenticator.hpp"

#include <chrono>

#include "core/identity/sts_answer.hpp"
#include "core/identity/sts_error.hpp"
#include "core/mapping/templates.hpp"
#include "core/review/token_review.hpp"

namespace aia::app {
namespace {

using auth::Outcome;
using Clock = std::chrono::steady_clock;

// Upstream's plain-text answer to a body that is not a TokenReview.
constexpr std::string_view kNotATokenReview = "expected a request body to be a TokenReview\n";

amz_time::Seconds wall_clock_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace

net::awaitable<ReviewResult> Authenticator::review(std::string_view body, std::string_view client) {
    const Clock::time_point started = Clock::now();
    Logger& log = *context_.log;
    std::vector<LogField> fields{{"client", std::string(client)}};

    const auto finish = [&](Outcome outcome, std::string content_type, std::string answer) {
        context_.metrics->observe_review(outcome, std::chrono::duration<double>(Clock::now() - started).count());
        return ReviewResult{outcome, auth::http_status(outcome), std::move(content_type), std::move(answer)};
    };

    auto request = review::parse_token_review(body);
    if (!request) {
        fields.push_back({"reason", request.error()});
        log.log(LogLevel::Warn, "could not parse request body", fields);
        co_return finish(Outcome::MalformedRequest, "text/plain; charset=utf-8", std::string(kNotATokenReview));
    }
    const std::string& api_version = request->api_version;
    const auto deny = [&](Outcome outcome, std::string reason) {
        fields.push_back({"reason", std::move(reason)});
        log.log(LogLevel::Warn, "access denied", fields);
        return finish(outcome, "application/json; charset=UTF-8", review::render_denied(api_version));
    };

    auto presigned = context_.validator.validate(request->token, wall_clock_now());
    if (!presigned) co_return deny(Outcome::InvalidToken, presigned.error().message());
    fields.push_back({"accesskeyid", presigned->access_key_id});
    fields.push_back({"stsendpoint", presigned->host});

    const net::StsAnswer answer = co_await sts_.get_caller_identity(*presigned);
    const std::string& region = presigned->sts_region;
    if (answer.kind != net::StsAnswer::Kind::Answered) {
        context_.metrics->sts_connection_failure(region);
        co_return deny(Outcome::StsError,
                       "sts getCallerIdentity failed: error during GET: " + answer.error + " on " + region + " endpoint");
    }
    context_.metrics->sts_response(region, answer.status);
    if (answer.status != 200) {
        // Only STS's code and a redacted message are logged, never the raw body.
        const identity::StsErrorSummary error = identity::summarize_sts_error(answer.body);
        if (!error.code.empty()) fields.push_back({"stserror", error.code});
        if (identity::is_throttling(answer.body)) {
            context_.metrics->sts_throttled(region);
            co_return deny(Outcome::StsThrottling, "sts getCallerIdentity was throttled: " + error.message);
        }
        co_return deny(Outcome::StsError, "sts getCallerIdentity failed: error from AWS (expected 200, got " +
                                              std::to_string(answer.status) + ") on " + region + " endpoint: " +
                                              error.message);
    }

    auto identity = identity::identity_from_sts_body(answer.body, *presigned);
    if (!identity) co_return deny(Outcome::StsError, identity.error().message());

    const bool scrubbed = context_.user_mapping.scrubbed_accounts.contains(identity->account_id);
    if (scrubbed) {
        std::erase_if(fields, [](const LogField& field) { return field.key == "accesskeyid"; });
    } else {
        fields.push_back({"arn", identity->canonical_arn});
        fields.push_back({"accountid", identity->account_id});
    }

    const std::vector<auth::SourceSnapshot> sources = context_.mappings->snapshot();
    std::optional<std::string> private_dns_name;
    if (context_.aws != nullptr && mapping::is_instance_id(identity->session_name) &&
        auth::mapping_needs_ec2_lookup(*identity, sources)) {
        const Ec2Lookup lookup = co_await context_.aws->private_dns_name(identity->session_name);
        if (!lookup) {
            co_return deny(Outcome::UnknownUser, "failed querying private DNS from EC2 API for node " +
                                                     identity->session_name + ": " + lookup.error);
        }
        private_dns_name = lookup.private_dns_name;
    }
    auto mapped = auth::map_identity(*identity, sources, context_.user_mapping, private_dns_name);
    if (!mapped) co_return deny(Outcome::UnknownUser, mapped.error().message);

    const review::ReviewedUser& user = mapped->user;
    fields.push_back({"username", user.username});
    fields.push_back({"uid", user.uid});
    fields.push_back({"groups", list_field(user.groups)});
    fields.push_back({"mapping", mapped->source + " " + mapped->origin});
    log.log(LogLevel::Info, "access granted", fields);
    co_return finish(Outcome::Success, "application/json; charset=UTF-8", review::render_authenticated(api_version, user));
}

}  // namespace aia::app
