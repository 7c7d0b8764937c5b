#include "app/token_verifier.hpp"

#include "app/wall_clock.hpp"
#include "core/identity/sts_answer.hpp"
#include "core/identity/sts_error.hpp"

namespace aia::app {
namespace {

using auth::Outcome;

}  // namespace

net::awaitable<Verification> verify_token(std::string_view token, const token::TokenValidator& validator,
                                          net::StsClient& sts, Metrics& metrics, InflightLimit* limit) {
    Verification result;
    const auto fail = [&result](Outcome outcome, std::string reason) {
        result.failure = outcome;
        result.reason = std::move(reason);
        return std::move(result);
    };

    auto presigned = validator.validate(token, wall_clock_now());
    if (!presigned) co_return fail(Outcome::InvalidToken, presigned.error().message());
    result.request = std::move(presigned).value();
    const token::PresignedRequest& request = *result.request;

    InflightLimit::Slot slot;
    if (limit != nullptr) {
        slot = limit->try_acquire();
        if (!slot) {
            metrics.sts_inflight_rejected();
            co_return fail(Outcome::StsThrottling, "too many STS requests in flight (server.maxInflightSTSRequests " +
                                                       std::to_string(limit->max()) + "); denied without asking STS");
        }
    }
    const net::StsAnswer answer = co_await sts.get_caller_identity(request);
    const std::string& region = request.sts_region;
    if (answer.kind != net::StsAnswer::Kind::Answered) {
        metrics.sts_connection_failure(region);
        co_return fail(Outcome::StsError,
                       "sts getCallerIdentity failed: error during GET: " + answer.error + " on " + region + " endpoint");
    }
    metrics.sts_response(region, answer.status);
    if (answer.status != 200) {
        // Only STS's code and a redacted message are kept, never the raw body.
        const identity::StsErrorSummary error = identity::summarize_sts_error(answer.body);
        result.sts_error_code = error.code;
        if (identity::is_throttling(answer.body)) {
            metrics.sts_throttled(region);
            co_return fail(Outcome::StsThrottling, "sts getCallerIdentity was throttled: " + error.message);
        }
        co_return fail(Outcome::StsError, "sts getCallerIdentity failed: error from AWS (expected 200, got " +
                                              std::to_string(answer.status) + ") on " + region + " endpoint: " +
                                              error.message);
    }

    auto identity = identity::identity_from_sts_body(answer.body, request);
    if (!identity) co_return fail(Outcome::StsError, identity.error().message());
    result.identity = std::move(identity).value();
    co_return result;
}

}  // namespace aia::app
