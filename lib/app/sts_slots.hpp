#pragma once
// The cap on STS calls in flight across all workers, shared out so that no
// single STS host can take it all. A host that is slow or unreachable (an
// egress firewall, a regional outage, a flood of tokens for a region that is
// admitted but not served) holds at most its share, and the hosts the
// server depends on most -- the global endpoint and its own region, the
// "home" hosts -- always keep room:
//   - all hosts together: at most `total` (server.maxInflightSTSRequests);
//   - one host other than the home hosts: at most a quarter of it;
//   - all hosts other than the home hosts together: at most three quarters.
// A call past a cap is denied at once (429, so kube-apiserver does not cache
// the answer) instead of queueing without bound and holding memory.

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace aia::app {

class StsSlots {
public:
    enum class Refusal {
        None,
        Total,   // `total` calls are out
        Host,    // this (non-home) host has its share out
        Shared,  // the non-home hosts together have theirs out
    };

    explicit StsSlots(unsigned total);
    StsSlots(const StsSlots&) = delete;
    StsSlots& operator=(const StsSlots&) = delete;

    // Held while a call is out; empty when refused.
    class Slot {
    public:
        Slot() = default;
        Slot(Slot&& other) noexcept;
        Slot& operator=(Slot&& other) noexcept;
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        ~Slot() { release(); }
        explicit operator bool() const noexcept { return owner_ != nullptr; }

    private:
        friend class StsSlots;
        Slot(StsSlots* owner, std::string host, bool home) : owner_(owner), host_(std::move(host)), home_(home) {}
        void release() noexcept;
        StsSlots* owner_ = nullptr;
        std::string host_;
        bool home_ = false;
    };

    // A slot for one call to `host`; when empty, `why` says which cap was met.
    Slot try_acquire(std::string_view host, bool home, Refusal& why);

    unsigned total() const noexcept { return total_; }
    unsigned per_host() const noexcept { return per_host_; }
    unsigned shared() const noexcept { return shared_; }
    unsigned in_flight() const;

private:
    void release(const std::string& host, bool home) noexcept;

    const unsigned total_;
    const unsigned per_host_;  // one non-home host
    const unsigned shared_;    // all non-home hosts
    mutable std::mutex mutex_;
    unsigned in_flight_ = 0;                             // under mutex_
    unsigned in_flight_away_ = 0;                        // non-home, under mutex_
    std::unordered_map<std::string, unsigned> by_host_;  // non-home hosts with calls out, under mutex_
};

}  // namespace aia::app
