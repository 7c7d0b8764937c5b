#pragma once
// A cap on STS calls in flight across all workers: when STS is slow,
// requests past the cap are denied at once (429, so kube-apiserver does not
// cache the answer) instead of queueing without bound and holding memory.

#include <atomic>

namespace aia::app {

class InflightLimit {
public:
    explicit InflightLimit(unsigned max) : max_(max) {}

    // Held while a call is out; empty when the cap was reached.
    class Slot {
    public:
        Slot() = default;
        explicit Slot(InflightLimit* owner) : owner_(owner) {}
        Slot(Slot&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
        Slot& operator=(Slot&& other) noexcept {
            if (this != &other) {
                release();
                owner_ = other.owner_;
                other.owner_ = nullptr;
            }
            return *this;
        }
        Slot(const Slot&) = delete;
        ~Slot() { release(); }
        explicit operator bool() const { return owner_ != nullptr; }

    private:
        void release() {
            if (owner_) owner_->in_flight_.fetch_sub(1, std::memory_order_relaxed);
            owner_ = nullptr;
        }
        InflightLimit* owner_ = nullptr;
    };

    Slot try_acquire() {
        if (in_flight_.fetch_add(1, std::memory_order_relaxed) >= max_) {
            in_flight_.fetch_sub(1, std::memory_order_relaxed);
            return Slot{};
        }
        return Slot{this};
    }

    unsigned max() const { return max_; }
    unsigned in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

private:
    const unsigned max_;
    std::atomic<unsigned> in_flight_{0};
};

}  // namespace aia::app
