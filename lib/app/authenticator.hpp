#pragma once
// One TokenReview, start to finish: the core's pure steps around one async
// STS call. Every outcome is logged once and counted once, in upstream's
// messages and keys ("access denied" with error=, "STS response",
// "access granted"), our own keys added under their own names.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "app/clock.hpp"
#include "app/instance_names.hpp"
#include "app/logger.hpp"
#include "app/mapping_sources.hpp"
#include "app/metrics.hpp"
#include "app/token_verifier.hpp"
#include "core/auth/outcome.hpp"
#include "core/auth/user_mapping.hpp"
#include "core/token/token_validator.hpp"
#include "net/asio.hpp"
#include "net/sts_fetcher.hpp"

namespace aia::app {

// What every worker's Authenticator shares; immutable while serving (the
// mapping sources swap their tables atomically).
struct AuthenticatorContext {
    token::TokenValidator validator;
    const MappingSources* mappings;
    auth::UserMappingSettings user_mapping;
    InstanceNames* instance_names;  // EC2 lookups for {{EC2PrivateDNSName}}; null: none (such mappings deny)
    StsSlots* sts_slots;            // STS calls in flight over all workers, shared out by host; null: no cap
    IdentityCache* identity_cache;  // STS answers by token; null or disabled: ask STS every time
    Metrics* metrics;
    Logger* log;
    const Clock* clock = &system_clock();
};

// Where a request came from and what it asked: every line a review logs
// starts with these, under upstream's keys (path, client, method).
struct RequestLine {
    std::string_view path = "/authenticate";
    std::string_view client;
    std::string_view method = "POST";
};

struct ReviewResult {
    auth::Outcome outcome;
    unsigned http_status;
    std::string content_type;
    std::string body;
};

class Authenticator {
public:
    Authenticator(const AuthenticatorContext& context, net::StsFetcher& sts) : context_(context), sts_(sts) {}

    // `request`'s views must outlive the review.
    net::awaitable<ReviewResult> review(std::string_view body, RequestLine request);

private:
    const AuthenticatorContext& context_;
    net::StsFetcher& sts_;
};

}  // namespace aia::app
