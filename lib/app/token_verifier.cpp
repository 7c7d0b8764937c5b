#include "app/token_verifier.hpp"

#include "core/crypto/sha256.hpp"
#include "core/identity/sts_answer.hpp"
#include "core/identity/sts_error.hpp"

namespace aia::app {
namespace {

using auth::Outcome;

// Why no slot was free, for the log.
std::string slot_refusal(StsSlots::Refusal why, const StsSlots& slots, const token::PresignedRequest& request) {
    const std::string suffix = "; denied without asking STS";
    switch (why) {
        case StsSlots::Refusal::Host:
            return "too many STS requests in flight to " + request.host + " (at most " +
                   std::to_string(slots.per_host()) +
                   " to one host other than the global endpoint and the server's own region, a quarter of "
                   "server.maxInflightSTSRequests)" +
                   suffix;
        case StsSlots::Refusal::Shared:
            return "too many STS requests in flight to hosts other than the global endpoint and the server's own "
                   "region (at most " +
                   std::to_string(slots.shared()) + ", three quarters of server.maxInflightSTSRequests)" + suffix;
        case StsSlots::Refusal::Total:
        case StsSlots::Refusal::None:
            break;
    }
    return "too many STS requests in flight (server.maxInflightSTSRequests " + std::to_string(slots.total()) + ")" +
           suffix;
}

// STS's verdict on a token that passed the offline checks.
net::awaitable<SharedAnswer> ask_sts(const token::PresignedRequest& request, bool home,
                                     const VerifierServices& services) {
    SharedAnswer result;
    const auto fail = [&result](Outcome outcome, std::string reason) {
        result.failure = outcome;
        result.reason = std::move(reason);
        return std::move(result);
    };
    Metrics& metrics = services.metrics;

    StsSlots::Slot slot;
    if (services.slots != nullptr) {
        StsSlots::Refusal why = StsSlots::Refusal::None;
        slot = services.slots->try_acquire(request.host, home, why);
        if (!slot) {
            if (why == StsSlots::Refusal::Total)
                metrics.sts_inflight_rejected();
            else
                metrics.sts_host_rejected(why == StsSlots::Refusal::Host ? "host_cap" : "shared_cap");
            co_return fail(Outcome::StsThrottling, slot_refusal(why, *services.slots, request));
        }
    }
    const net::StsAnswer answer = co_await services.sts.get_caller_identity(request, home);
    const std::string& region = request.sts_region;
    if (answer.kind == net::StsAnswer::Kind::Skipped) {
        // The name failed moments ago, or too many lookups are waiting: STS was not asked.
        metrics.sts_host_rejected(answer.skipped_because);
        const bool busy = answer.skipped_because == "resolve_busy";
        co_return fail(
            busy ? Outcome::StsThrottling : Outcome::StsError,
            "sts getCallerIdentity failed: error during GET: " + answer.error + " on " + region + " endpoint");
    }
    if (answer.kind != net::StsAnswer::Kind::Answered) {
        metrics.sts_connection_failure(region);
        co_return fail(Outcome::StsError, "sts getCallerIdentity failed: error during GET: " + answer.error + " on " +
                                              region + " endpoint");
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
                                              std::to_string(answer.status) + ") on " + region +
                                              " endpoint: " + error.message);
    }

    auto identity = identity::identity_from_sts_body(answer.body, request);
    if (!identity) co_return fail(Outcome::StsError, identity.error().message());
    result.identity = std::move(identity).value();
    co_return result;
}

// When the token stops being valid, on the steady clock the cache runs on.
std::chrono::steady_clock::time_point steady_expiry(const token::PresignedRequest& request, const Clock& clock) {
    return clock.steady_now() + (request.expires_at - clock.wall_now());
}

void adopt(Verification& verification, SharedAnswer answer) {
    verification.identity = std::move(answer.identity);
    verification.failure = answer.failure;
    verification.reason = std::move(answer.reason);
    verification.sts_error_code = std::move(answer.sts_error_code);
}

}  // namespace

bool is_home_host(const token::PresignedRequest& request, const token::StsRegionPolicy& regions) {
    return request.sts_region == "global" ||
           (!regions.own_region().empty() && request.sts_region == regions.own_region());
}

net::awaitable<Verification> verify_token(std::string_view token, const token::TokenValidator& validator,
                                          VerifierServices services) {
    Verification result;
    const amz_time::Seconds now = services.clock->wall_now();
    const bool cached = services.cache != nullptr && services.cache->enabled();
    std::optional<identity::CacheKey> key;
    if (cached) {
        // A stored answer's token is these very bytes, which passed every
        // offline check before: only its time window can have changed since.
        // Outside it, the checks below say why.
        key = crypto::sha256(token);
        const auto still_valid = [&](amz_time::Seconds signed_at) { return validator.within_window(signed_at, now); };
        if (auto identity = services.cache->find(*key, still_valid)) {
            result.identity = std::move(identity);
            result.cache = "hit";
            co_return result;
        }
    }

    auto presigned = validator.validate(token, now);
    if (!presigned) {
        if (presigned.error().code == token::TokenErrorCode::UnknownRegion)
            services.metrics.sts_unknown_region_denied();
        result.failure = Outcome::InvalidToken;
        result.reason = presigned.error().message();
        co_return result;
    }
    result.request = std::move(presigned).value();
    const bool home = is_home_host(*result.request, validator.region_policy());

    if (!cached) {
        SharedAnswer answer = co_await ask_sts(*result.request, home, services);
        adopt(result, std::move(answer));
        co_return result;
    }

    IdentityCache::Lookup lookup = co_await services.cache->lookup(*key);
    if (lookup.answer) {
        result.cache = lookup.shared ? "shared" : "hit";
        adopt(result, std::move(*lookup.answer));
        co_return result;
    }
    result.cache = "miss";
    SharedAnswer answer = co_await ask_sts(*result.request, home, services);
    lookup.lead.finish(answer, result.request->signed_at, steady_expiry(*result.request, *services.clock));
    adopt(result, std::move(answer));
    co_return result;
}

}  // namespace aia::app
