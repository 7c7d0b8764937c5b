#include "app/identity_cache.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace aia::app {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

struct KeyHash {
    std::size_t operator()(const identity::CacheKey& key) const noexcept {
        std::size_t hash;
        std::memcpy(&hash, key.data() + sizeof hash, sizeof hash);  // the table hashes the first word
        return hash;
    }
};

// Enough shards that two workers rarely meet on a lock, few enough that each
// keeps a useful share of the limits (every shard gets limit / shards).
std::size_t shard_count(const IdentityCacheOptions& options) {
    return std::clamp<std::size_t>(options.max_entries / 64, 1, 16);
}

}  // namespace

// One STS call for a token, and the reviews waiting for its answer.
struct IdentityCache::Flight {
    std::vector<std::shared_ptr<net::asio::steady_timer>> waiters;  // each on its own worker's io_context
    bool done = false;
    std::optional<SharedAnswer> answer;  // empty when the lead gave up
};

struct IdentityCache::Shard {
    explicit Shard(identity::CacheLimits limits) : table(limits) {}
    std::mutex mutex;
    identity::IdentityCacheTable table;
    std::unordered_map<identity::CacheKey, std::shared_ptr<Flight>, KeyHash> flights;
};

IdentityCache::IdentityCache(IdentityCacheOptions options, Metrics& metrics, const Clock& clock)
    : options_(options), metrics_(metrics), clock_(clock) {
    const std::size_t count = shard_count(options_);
    const identity::CacheLimits per_shard{.max_entries = options_.max_entries / count,
                                          .max_bytes = options_.max_bytes / count};
    for (std::size_t i = 0; i < count; ++i) shards_.push_back(std::make_unique<Shard>(per_shard));
}

IdentityCache::~IdentityCache() = default;

IdentityCache::Shard& IdentityCache::shard_of(const identity::CacheKey& key) {
    return *shards_[key[31] % shards_.size()];
}

void IdentityCache::report(const identity::IdentityCacheTable& table, std::size_t entries_before,
                           std::size_t bytes_before, const identity::CacheEvictions& evicted) {
    metrics_.identity_cache_evicted(evicted.expired, evicted.capacity);
    metrics_.identity_cache_resized(static_cast<double>(table.size()) - static_cast<double>(entries_before),
                                    static_cast<double>(table.bytes()) - static_cast<double>(bytes_before));
}

const identity::CachedIdentity* IdentityCache::find_locked(Shard& shard, const identity::CacheKey& key) {
    identity::CacheEvictions evicted;
    const std::size_t entries = shard.table.size();
    const std::size_t bytes = shard.table.bytes();
    const identity::CachedIdentity* found = shard.table.find(key, clock_.steady_now(), evicted);
    report(shard.table, entries, bytes, evicted);
    return found;
}

net::awaitable<IdentityCache::Lookup> IdentityCache::lookup(const identity::CacheKey& key) {
    Shard& shard = shard_of(key);
    const auto executor = co_await net::asio::this_coro::executor;
    Lookup result;
    std::shared_ptr<Flight> awaited;
    std::shared_ptr<net::asio::steady_timer> timer;
    {
        std::lock_guard lock(shard.mutex);
        const identity::CachedIdentity* found = find_locked(shard, key);
        if (found != nullptr) {
            result.answer.emplace();
            result.answer->identity = found->identity;
        } else {
            auto [flight, first] = shard.flights.try_emplace(key);
            if (first) {
                flight->second = std::make_shared<Flight>();
                result.lead = Lead(this, key, flight->second);
            } else {
                awaited = flight->second;
                timer = std::make_shared<net::asio::steady_timer>(executor, options_.wait_for_other);
                awaited->waiters.push_back(timer);
            }
        }
    }
    if (result.answer) {
        metrics_.identity_cache_hit();
        co_return result;
    }
    if (!awaited) {
        metrics_.identity_cache_miss();
        co_return result;
    }

    // However the wait ends (woken, deadline, or this coroutine destroyed with
    // its io_context at shutdown), the lead must stop knowing this timer: it
    // would post to an executor that may no longer exist.
    struct Registration {
        Shard& shard;
        Flight& flight;
        const std::shared_ptr<net::asio::steady_timer>& timer;
        ~Registration() {
            std::lock_guard lock(shard.mutex);
            std::erase(flight.waiters, timer);
        }
    };
    {
        const Registration registration{shard, *awaited, timer};
        // Woken by the lead's post, or the deadline: either way, look at the flight.
        boost::system::error_code ignored;
        co_await timer->async_wait(net::asio::redirect_error(net::use_awaitable, ignored));
    }
    {
        std::lock_guard lock(shard.mutex);
        if (awaited->done && awaited->answer) {
            result.answer = awaited->answer;
            result.shared = true;
        }
    }
    if (result.shared) {
        metrics_.identity_cache_shared();
    } else {
        // The lead gave up or is too slow: ask alone, and store what STS says.
        metrics_.identity_cache_miss();
        result.lead = Lead(this, key, nullptr);
    }
    co_return result;
}

std::optional<identity::Identity> IdentityCache::find(
    const identity::CacheKey& key, const std::function<bool(amz_time::Seconds signed_at)>& still_valid) {
    Shard& shard = shard_of(key);
    std::optional<identity::Identity> hit;
    {
        std::lock_guard lock(shard.mutex);
        const identity::CachedIdentity* found = find_locked(shard, key);
        if (found != nullptr && still_valid(found->signed_at)) hit = found->identity;
    }
    if (hit) metrics_.identity_cache_hit();
    return hit;
}

void IdentityCache::complete(const identity::CacheKey& key, const std::shared_ptr<Flight>& flight,
                             const SharedAnswer* answer, amz_time::Seconds signed_at, SteadyTime token_expires_at) {
    Shard& shard = shard_of(key);
    std::vector<std::shared_ptr<net::asio::steady_timer>> waiters;
    {
        std::lock_guard lock(shard.mutex);
        if (answer != nullptr && answer->identity && enabled()) {
            const SteadyTime now = clock_.steady_now();
            identity::CacheEvictions evicted;
            const std::size_t entries = shard.table.size();
            const std::size_t bytes = shard.table.bytes();
            shard.table.put(key, {*answer->identity, signed_at}, std::min(now + options_.ttl, token_expires_at), now,
                            evicted);
            report(shard.table, entries, bytes, evicted);
        }
        if (flight) {
            if (const auto it = shard.flights.find(key); it != shard.flights.end() && it->second == flight) {
                shard.flights.erase(it);
            }
            flight->done = true;
            if (answer != nullptr) flight->answer = *answer;
            waiters = std::move(flight->waiters);
        }
    }
    // A timer belongs to its worker's thread: cancel it there.
    for (auto& waiter : waiters) {
        net::asio::post(waiter->get_executor(), [waiter] { waiter->cancel(); });
    }
}

IdentityCache::Lead::Lead(Lead&& other) noexcept
    : cache_(std::exchange(other.cache_, nullptr)), key_(other.key_), flight_(std::move(other.flight_)) {}

IdentityCache::Lead& IdentityCache::Lead::operator=(Lead&& other) noexcept {
    if (this != &other) {
        give_up();
        cache_ = std::exchange(other.cache_, nullptr);
        key_ = other.key_;
        flight_ = std::move(other.flight_);
    }
    return *this;
}

IdentityCache::Lead::~Lead() { give_up(); }

void IdentityCache::Lead::finish(const SharedAnswer& answer, amz_time::Seconds signed_at, SteadyTime token_expires_at) {
    if (cache_ == nullptr) return;
    std::exchange(cache_, nullptr)->complete(key_, flight_, &answer, signed_at, token_expires_at);
    flight_.reset();
}

void IdentityCache::Lead::give_up() {
    if (cache_ == nullptr) return;
    try {
        std::exchange(cache_, nullptr)->complete(key_, flight_, nullptr, {}, {});
    } catch (...) {
        // Out of memory while posting wake-ups: the waiters' own deadlines end their wait.
    }
    flight_.reset();
}

}  // namespace aia::app
