#pragma once
// Gives the memory a burst freed back to the system once the burst is over.
//
// glibc keeps freed memory in its arenas for reuse, so without this the
// server's RSS stays at a burst's peak for good (1,000 connections opened
// and closed: 12 -> 30 MiB, and 30 MiB after). Trimming while requests
// flow would only hand pages back to be faulted in again; so a trim
// happens once, after an interval with activity followed by a whole
// interval without any.
//
//   MemoryTrimmer trimmer([&] { return server.requests_answered() + ...; });
//   trimmer.start();   // a thread that looks every interval
//   ...
//   trimmer.stop();    // (or the destructor)

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace aia::app {

class MemoryTrimmer {
public:
    // A count that changes while the server works (requests, connections).
    using Activity = std::function<std::uint64_t()>;
    using Trim = std::function<void()>;

    explicit MemoryTrimmer(Activity activity, std::chrono::milliseconds interval = std::chrono::seconds{1},
                           Trim trim = release_free_memory);
    ~MemoryTrimmer();
    MemoryTrimmer(const MemoryTrimmer&) = delete;
    MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

    void start();
    void stop();

    // One look (what the thread does every interval): trims when the last
    // look saw activity and this one sees none. True when it trimmed.
    bool look();

    std::uint64_t trims() const noexcept { return trims_.load(std::memory_order_relaxed); }

    // malloc_trim(0) with glibc (every arena, free pages anywhere in them);
    // nothing elsewhere.
    static void release_free_memory();

private:
    Activity activity_;
    std::chrono::milliseconds interval_;
    Trim trim_;
    std::uint64_t last_seen_ = 0;
    bool busy_since_last_look_ = false;
    std::atomic<std::uint64_t> trims_{0};

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace aia::app
