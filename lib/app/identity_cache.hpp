#pragma once
// The identity cache: who STS said signed a token, remembered by the
// token's SHA-256 for a short while, so a token seen again costs no STS call.
// Shared by every worker thread (sharded, one lock per shard), and
// single-flight: while one review asks STS about a token, reviews of the same
// token wait for that answer instead of asking too.
//
// Only what STS vouched for is stored: failures are never kept, and the
// mapping is applied afresh to every answer, cached or not.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/clock.hpp"
#include "app/metrics.hpp"
#include "core/identity/identity.hpp"
#include "core/identity/identity_cache_table.hpp"
#include "net/asio.hpp"

namespace aia::app {

struct IdentityCacheOptions {
    std::chrono::milliseconds ttl{0};  // 0: no cache
    std::size_t max_entries = 0;
    std::size_t max_bytes = 0;
    std::chrono::milliseconds wait_for_other{11'000};  // longest wait for another review's STS call
};

// A shared STS answer: an identity, or why there is none (in the reviewer's
// own terms, so a failure reads the same to every review that waited for it).
struct SharedAnswer {
    std::optional<identity::Identity> identity;
    auth::Outcome failure = auth::Outcome::Success;
    std::string reason;
    std::string sts_error_code;
};

class IdentityCache {
    struct Flight;
    struct Shard;

public:
    IdentityCache(IdentityCacheOptions options, Metrics& metrics, const Clock& clock = system_clock());
    ~IdentityCache();

    // The right to ask STS about a token and the duty to share the answer.
    // Given up without an answer (destroyed first), the waiting reviews ask
    // STS themselves.
    class Lead {
    public:
        Lead() = default;
        Lead(Lead&& other) noexcept;
        Lead& operator=(Lead&& other) noexcept;
        Lead(const Lead&) = delete;
        ~Lead();

        // Shares `answer` with the waiting reviews and, when it is an
        // identity, stores it with the token's signing time until
        // `token_expires_at` or the cache's TTL, whichever is first (a
        // failure is never stored).
        void finish(const SharedAnswer& answer, amz_time::Seconds signed_at,
                    std::chrono::steady_clock::time_point token_expires_at);

    private:
        friend class IdentityCache;
        Lead(IdentityCache* cache, identity::CacheKey key, std::shared_ptr<Flight> flight)
            : cache_(cache), key_(key), flight_(std::move(flight)) {}
        void give_up();

        IdentityCache* cache_ = nullptr;
        identity::CacheKey key_{};
        std::shared_ptr<Flight> flight_;  // null: nobody is waiting on this one (asking alone)
    };

    struct Lookup {
        std::optional<SharedAnswer> answer;  // from the cache, or from another review's STS call
        bool shared = false;                 // the answer came from another review's call
        Lead lead;                           // no answer: ask STS, then finish() this
    };

    // Must be awaited on a single-threaded io_context (a worker's).
    net::awaitable<Lookup> lookup(const identity::CacheKey& key);

    // The stored identity for `key`, at once, when `still_valid` accepts its
    // token's signing time; counted as a hit. Otherwise nothing, and nothing
    // counted: lookup() is the way on. Never waits for another review.
    std::optional<identity::Identity> find(const identity::CacheKey& key,
                                           const std::function<bool(amz_time::Seconds signed_at)>& still_valid);

    bool enabled() const { return options_.ttl.count() > 0; }
    const IdentityCacheOptions& options() const { return options_; }

private:
    Shard& shard_of(const identity::CacheKey& key);
    // The fresh entry for `key` in `shard` (whose lock the caller holds),
    // reporting what the look dropped.
    const identity::CachedIdentity* find_locked(Shard& shard, const identity::CacheKey& key);
    void complete(const identity::CacheKey& key, const std::shared_ptr<Flight>& flight, const SharedAnswer* answer,
                  amz_time::Seconds signed_at, std::chrono::steady_clock::time_point token_expires_at);
    void report(const identity::IdentityCacheTable& table, std::size_t entries_before, std::size_t bytes_before,
                const identity::CacheEvictions& evicted);

    const IdentityCacheOptions options_;
    Metrics& metrics_;
    const Clock& clock_;
    std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace aia::app
