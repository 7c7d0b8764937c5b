#pragma once
// A token, verified: the core's offline checks, the STS replay (or the
// identity cache), and STS's answer turned into an identity. The server's
// reviews and the `verify` command share it, so both accept and refuse
// exactly the same tokens.

#include <optional>
#include <string>
#include <string_view>

#include "app/clock.hpp"
#include "app/identity_cache.hpp"
#include "app/metrics.hpp"
#include "app/sts_slots.hpp"
#include "core/auth/outcome.hpp"
#include "core/identity/identity.hpp"
#include "core/token/token_validator.hpp"
#include "net/asio.hpp"
#include "net/sts_fetcher.hpp"

namespace aia::app {

struct Verification {
    // Set once the token passed the offline checks; empty when the cache
    // answered at once (only the token's time window was checked again; the
    // identity names its access key and host).
    std::optional<token::PresignedRequest> request;
    std::optional<identity::Identity> identity;      // set when STS vouched for it
    auth::Outcome failure = auth::Outcome::Success;  // why not, when identity is empty
    std::string reason;                              // in upstream's words
    std::string sts_error_code;                      // STS's error code, when it answered with one
    std::string_view cache;                          // "hit", "shared" or "miss"; empty without a cache

    bool verified() const { return identity.has_value(); }
};

// What the STS replay needs besides the token. Counts STS answers,
// connection failures and throttling in `metrics`. With `slots`, a token that
// would be one STS call too many (in all, or for its host; see StsSlots) is
// denied (StsThrottling) without asking STS. With an enabled `cache`, a token
// answered before is answered from there once its time window is checked
// again, and a token checked offline is looked up there before STS is asked
// (joining another review's call for it), STS's identity stored for the next
// time.
struct VerifierServices {
    net::StsFetcher& sts;
    Metrics& metrics;
    StsSlots* slots = nullptr;
    IdentityCache* cache = nullptr;
    const Clock* clock = &system_clock();
};

// The STS hosts the server depends on most: the global endpoint and those
// of its own region. They keep room in StsSlots and resolve first.
bool is_home_host(const token::PresignedRequest& request, const token::StsRegionPolicy& regions);

net::awaitable<Verification> verify_token(std::string_view token, const token::TokenValidator& validator,
                                          VerifierServices services);

// How a one-off verification reaches STS (the `verify` command).
struct StsCallSettings {
    std::chrono::milliseconds timeout{std::chrono::seconds{10}};
    std::string override_host;  // empty: the token's own host
    std::uint16_t override_port = 443;
    std::string ca_file;  // empty: the system store
};

// verify_token run to completion on the calling thread, with an STS client
// of its own. Fails only when the CA file cannot be used; a refused token is
// a Verification without identity.
Result<Verification, std::string> verify_token_blocking(std::string_view token, const token::TokenValidator& validator,
                                                        const StsCallSettings& sts);

}  // namespace aia::app
