#pragma once
// The identity cache's storage: STS's answers by SHA-256 of the token,
// each until its own expiry, least recently used forgotten first, bounded
// in entries and in bytes. Pure and single-threaded: the caller passes the
// time and does the locking (app/identity_cache).

#include <chrono>
#include <cstddef>
#include <cstring>
#include <list>
#include <unordered_map>

#include "core/crypto/sha256.hpp"
#include "core/identity/identity.hpp"
#include "core/util/amz_time.hpp"

namespace aia::identity {

using CacheKey = crypto::Sha256Digest;  // of the whole token, so the table never holds a token
using CacheTime = std::chrono::steady_clock::time_point;

struct CacheLimits {
    std::size_t max_entries = 0;
    std::size_t max_bytes = 0;
};

// What STS said of a token, and when the token was signed (its X-Amz-Date):
// the same token, seen again, needs only its time window checked again.
struct CachedIdentity {
    Identity identity;
    amz_time::Seconds signed_at{};
};

// What one call to put() or find() pushed out.
struct CacheEvictions {
    std::size_t expired = 0;
    std::size_t capacity = 0;
};

class IdentityCacheTable {
public:
    explicit IdentityCacheTable(CacheLimits limits) : limits_(limits) {}

    // The entry when present and fresh at `now`, marked as just used.
    // An expired entry found here is dropped (counted in `evicted`).
    const CachedIdentity* find(const CacheKey& key, CacheTime now, CacheEvictions& evicted);

    // Stores (or replaces) an answer until `expires_at`, then evicts expired
    // entries from the old end and least recently used ones until both limits
    // hold. An entry too big for the byte limit on its own is not stored.
    void put(const CacheKey& key, CachedIdentity cached, CacheTime expires_at, CacheTime now, CacheEvictions& evicted);

    std::size_t size() const { return order_.size(); }
    std::size_t bytes() const { return bytes_; }

    // Bytes an entry holds: the node, its strings' heap blocks, its index slot.
    static std::size_t footprint(const Identity& identity);

private:
    struct Entry {
        CacheKey key;
        CachedIdentity cached;
        CacheTime expires_at;
        std::size_t bytes;
    };
    struct KeyHash {
        std::size_t operator()(const CacheKey& key) const noexcept {
            std::size_t hash;  // a cryptographic digest is already uniform
            std::memcpy(&hash, key.data(), sizeof hash);
            return hash;
        }
    };
    using Order = std::list<Entry>;  // most recently used first

    void erase(Order::iterator entry);
    void shrink_to_limits(CacheTime now, CacheEvictions& evicted);

    CacheLimits limits_;
    Order order_;
    std::unordered_map<CacheKey, Order::iterator, KeyHash> index_;
    std::size_t bytes_ = 0;
};

}  // namespace aia::identity
