#pragma once
// A value that one thread replaces while others read it: a reader takes a
// shared_ptr to the current value and may keep it as long as it likes; the
// writer's replacement never changes what a reader already holds.
//
// A mutex rather than std::atomic<std::shared_ptr>: libstdc++ 12's load()
// releases that type's internal lock with relaxed ordering, so a later
// store() is not ordered after the load's read -- a data race by the memory
// model, and ThreadSanitizer reports it. Here the lock is held only to copy
// a pointer, and the old value is released outside it.

#include <memory>
#include <mutex>
#include <utility>

namespace aia::app {

template <class T>
class Published {
public:
    std::shared_ptr<const T> load() const {
        std::lock_guard lock(mutex_);
        return value_;
    }

    void store(std::shared_ptr<const T> value) {
        {
            std::lock_guard lock(mutex_);
            value_.swap(value);
        }
        // `value` now holds the old one: freed here, not under the lock.
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const T> value_;
};

}  // namespace aia::app
