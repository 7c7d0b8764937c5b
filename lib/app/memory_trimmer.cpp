#include "app/memory_trimmer.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace aia::app {

MemoryTrimmer::MemoryTrimmer(Activity activity, std::chrono::milliseconds interval, Trim trim)
    : activity_(std::move(activity)), interval_(interval), trim_(std::move(trim)) {
    last_seen_ = activity_();
}

MemoryTrimmer::~MemoryTrimmer() { stop(); }

void MemoryTrimmer::release_free_memory() {
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
}

bool MemoryTrimmer::look() {
    const std::uint64_t seen = activity_();
    const bool busy = seen != last_seen_;
    last_seen_ = seen;
    const bool burst_ended = busy_since_last_look_ && !busy;
    busy_since_last_look_ = busy;
    if (!burst_ended) return false;
    trim_();
    trims_.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void MemoryTrimmer::start() {
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
            lock.unlock();
            look();
            lock.lock();
        }
    });
}

void MemoryTrimmer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

}  // namespace aia::app
