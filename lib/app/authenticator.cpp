#include "app/authenticator.hpp"

#include <chrono>

#include "core/mapping/templates.hpp"
#include "core/review/token_review.hpp"

namespace aia::app {
namespace {

using auth::Outcome;

// Upstream's plain-text answer to a body that is not a TokenReview.
constexpr std::string_view kNotATokenReview = "expected a request body to be a TokenReview\n";

// Upstream's "STS response" line: what STS said about the caller, before mapping.
void log_sts_response(Logger& log, const std::vector<LogField>& request_fields, const identity::Identity& identity,
                      std::string_view cache) {
    std::vector<LogField> fields;
    fields.reserve(10);
    fields.insert(fields.end(), request_fields.begin(), request_fields.begin() + 3);  // path, client, method
    if (!cache.empty()) fields.push_back({"cache", std::string(cache)});
    fields.push_back({"accesskeyid", identity.access_key_id});
    fields.push_back({"arn", identity.arn});
    fields.push_back({"accountid", identity.account_id});
    fields.push_back({"userid", identity.user_id});
    fields.push_back({"session", identity.session_name});
    fields.push_back({"stsendpoint", identity.sts_host});
    log.log(LogLevel::Info, "STS response", fields);
}

}  // namespace

net::awaitable<ReviewResult> Authenticator::review(std::string_view body, RequestLine line) {
    const Clock& clock = *context_.clock;
    const auto started = clock.steady_now();
    Logger& log = *context_.log;
    std::vector<LogField> fields;
    fields.reserve(16);  // every field of the longest line, "access granted": no regrowth
    fields.push_back({"path", std::string(line.path)});
    fields.push_back({"client", std::string(line.client)});
    fields.push_back({"method", std::string(line.method)});

    const auto finish = [&](Outcome outcome, std::string content_type, std::string answer) {
        context_.metrics->observe_review(outcome, std::chrono::duration<double>(clock.steady_now() - started).count());
        return ReviewResult{outcome, auth::http_status(outcome), std::move(content_type), std::move(answer)};
    };

    auto request = review::parse_token_review(body);
    if (!request) {
        fields.push_back({"error", request.error()});
        log.log(LogLevel::Error, "could not parse request body", fields);
        co_return finish(Outcome::MalformedRequest, "text/plain; charset=utf-8", std::string(kNotATokenReview));
    }
    const std::string& api_version = request->api_version;
    const auto deny = [&](Outcome outcome, std::string cause) {
        fields.push_back({"error", std::move(cause)});
        log.log(LogLevel::Warn, "access denied", fields);
        return finish(outcome, "application/json; charset=UTF-8", review::render_denied(api_version));
    };

    // Built apart: g++ 12 miscompiles braced initializers inside co_await.
    const VerifierServices services{sts_, *context_.metrics, context_.sts_slots, context_.identity_cache, &clock};
    const Verification verification = co_await verify_token(request->token, context_.validator, services);
    if (!verification.cache.empty()) fields.push_back({"cache", std::string(verification.cache)});
    if (verification.request) {
        fields.push_back({"accesskeyid", verification.request->access_key_id});
        fields.push_back({"stsendpoint", verification.request->host});
    } else if (verification.identity) {  // a cache hit: the token was not decoded again
        fields.push_back({"accesskeyid", verification.identity->access_key_id});
        fields.push_back({"stsendpoint", verification.identity->sts_host});
    }
    if (!verification.sts_error_code.empty()) fields.push_back({"stserror", verification.sts_error_code});
    if (!verification.verified()) co_return deny(verification.failure, verification.reason);
    const identity::Identity* identity = &*verification.identity;

    // Scrubbed accounts are never named in the log (upstream's rule).
    const bool scrubbed = context_.user_mapping.scrubbed_accounts.contains(identity->account_id);
    if (scrubbed) {
        std::erase_if(fields, [](const LogField& field) { return field.key == "accesskeyid"; });
    } else {
        log_sts_response(log, fields, *identity, verification.cache);
        fields.push_back({"arn", identity->canonical_arn});
        fields.push_back({"accountid", identity->account_id});
    }

    const std::vector<auth::SourceSnapshot> sources = context_.mappings->snapshot();
    std::optional<std::string> private_dns_name;
    if (context_.instance_names != nullptr && mapping::is_instance_id(identity->session_name) &&
        auth::mapping_needs_ec2_lookup(*identity, sources)) {
        const Ec2Lookup lookup = co_await context_.instance_names->private_dns_name(identity->session_name);
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
    fields.push_back(list_field("groups", user.groups));
    fields.push_back({"mapping", mapped->source + " " + mapped->origin});
    log.log(LogLevel::Info, "access granted", fields);
    co_return finish(Outcome::Success, "application/json; charset=UTF-8",
                     review::render_authenticated(api_version, user));
}

}  // namespace aia::app
