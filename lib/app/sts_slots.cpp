#include "app/sts_slots.hpp"

#include <algorithm>
#include <utility>

namespace aia::app {

StsSlots::StsSlots(unsigned total)
    : total_(std::max(1u, total)), per_host_(std::max(1u, total_ / 4)), shared_(std::max(1u, total_ - total_ / 4)) {}

StsSlots::Slot::Slot(Slot&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), host_(std::move(other.host_)), home_(other.home_) {}

StsSlots::Slot& StsSlots::Slot::operator=(Slot&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        host_ = std::move(other.host_);
        home_ = other.home_;
    }
    return *this;
}

void StsSlots::Slot::release() noexcept {
    if (owner_ != nullptr) owner_->release(host_, home_);
    owner_ = nullptr;
}

StsSlots::Slot StsSlots::try_acquire(std::string_view host, bool home, Refusal& why) {
    std::lock_guard lock(mutex_);
    why = Refusal::None;
    if (in_flight_ >= total_) {
        why = Refusal::Total;
        return {};
    }
    if (!home) {
        if (in_flight_away_ >= shared_) {
            why = Refusal::Shared;
            return {};
        }
        unsigned& count = by_host_[std::string(host)];
        if (count >= per_host_) {
            why = Refusal::Host;
            return {};
        }
        ++count;
        ++in_flight_away_;
    }
    ++in_flight_;
    return Slot(this, home ? std::string{} : std::string(host), home);
}

void StsSlots::release(const std::string& host, bool home) noexcept {
    std::lock_guard lock(mutex_);
    --in_flight_;
    if (home) return;
    --in_flight_away_;
    if (auto it = by_host_.find(host); it != by_host_.end() && --it->second == 0) by_host_.erase(it);
}

unsigned StsSlots::in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_;
}

}  // namespace aia::app
