#include "core/identity/identity_cache_table.hpp"

namespace aia::identity {
namespace {

// A string's heap block, or nothing when it fits in the object (SSO).
std::size_t heap_bytes(const std::string& text) {
    return text.capacity() > std::string().capacity() ? text.capacity() + 1 : 0;
}

// Per entry beyond the Entry itself: list links, the index node and its bucket.
constexpr std::size_t kBookkeepingBytes = 2 * sizeof(void*) + sizeof(CacheKey) + 4 * sizeof(void*);

}  // namespace

std::size_t IdentityCacheTable::footprint(const Identity& identity) {
    return sizeof(Entry) + kBookkeepingBytes + heap_bytes(identity.arn) + heap_bytes(identity.canonical_arn) +
           heap_bytes(identity.account_id) + heap_bytes(identity.user_id) + heap_bytes(identity.session_name) +
           heap_bytes(identity.access_key_id) + heap_bytes(identity.sts_host);
}

const CachedIdentity* IdentityCacheTable::find(const CacheKey& key, CacheTime now, CacheEvictions& evicted) {
    const auto found = index_.find(key);
    if (found == index_.end()) return nullptr;
    const Order::iterator entry = found->second;
    if (entry->expires_at <= now) {
        erase(entry);
        ++evicted.expired;
        return nullptr;
    }
    order_.splice(order_.begin(), order_, entry);
    return &entry->cached;
}

void IdentityCacheTable::put(const CacheKey& key, CachedIdentity cached, CacheTime expires_at, CacheTime now,
                             CacheEvictions& evicted) {
    if (const auto found = index_.find(key); found != index_.end()) erase(found->second);
    if (expires_at <= now) return;
    const std::size_t bytes = footprint(cached.identity);
    if (bytes > limits_.max_bytes || limits_.max_entries == 0) return;

    order_.push_front(Entry{key, std::move(cached), expires_at, bytes});
    index_.emplace(key, order_.begin());
    bytes_ += bytes;
    shrink_to_limits(now, evicted);
}

void IdentityCacheTable::erase(Order::iterator entry) {
    bytes_ -= entry->bytes;
    index_.erase(entry->key);
    order_.erase(entry);
}

void IdentityCacheTable::shrink_to_limits(CacheTime now, CacheEvictions& evicted) {
    // Expired entries at the old end go first and cost nothing to lose.
    while (!order_.empty() && order_.back().expires_at <= now) {
        erase(std::prev(order_.end()));
        ++evicted.expired;
    }
    while (order_.size() > limits_.max_entries || bytes_ > limits_.max_bytes) {
        erase(std::prev(order_.end()));
        ++evicted.capacity;
    }
}

}  // namespace aia::identity
