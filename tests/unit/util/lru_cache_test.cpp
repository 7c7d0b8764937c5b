#include <catch2/catch.hpp>

#include "core/util/lru_cache.hpp"

using namespace aia;

TEST_CASE("an LRU cache forgets the least recently used entry", "[lru]") {
    LruCache<int> cache(2);
    cache.put("a", 1);
    cache.put("b", 2);
    REQUIRE(cache.find("a") != nullptr);  // a is now the most recent
    cache.put("c", 3);                    // evicts b
    CHECK(cache.find("b") == nullptr);
    CHECK(*cache.find("a") == 1);
    CHECK(*cache.find("c") == 3);
    CHECK(cache.size() == 2);

    cache.put("a", 10);  // replaces, no eviction
    CHECK(cache.size() == 2);
    CHECK(*cache.find("a") == 10);
    cache.erase("a");
    CHECK(cache.find("a") == nullptr);
    CHECK(cache.size() == 1);
}
