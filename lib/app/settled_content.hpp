#pragma once
// When a followed file's new content is to be acted on: once per distinct
// content, so a broken file is reported once and not on every check; and
// only once it has read the same for a settle time, so a write caught
// half-way, or a rotation that has replaced one file of a pair, is not
// taken for the result. The caller reads the files and passes their
// fingerprint (never empty); time is an argument.

#include <chrono>
#include <string>

namespace aia::app {

class SettledContent {
public:
    using Clock = std::chrono::steady_clock;
    enum class Verdict {
        Unchanged,  // what was last acted on
        Settling,   // new content, not yet the same for the settle time
        Settled,    // act on it now (it is taken as acted on)
    };

    explicit SettledContent(std::chrono::milliseconds settle_time) : settle_time_(settle_time) {}

    // `even_if_unchanged`: the content last acted on counts as new, and is
    // acted on again once settled (a reload that still settles).
    Verdict observe(const std::string& fingerprint, Clock::time_point now, bool even_if_unchanged = false);
    // How long the content being settled must still read the same.
    std::chrono::milliseconds settle_time_left(Clock::time_point now) const;

    // Takes `fingerprint` as acted on at once, unsettled (the content in use
    // at start, a reload that need not settle).
    void accept(std::string fingerprint);
    // The content acted on is gone (what it made was undone).
    void forget() { acted_on_.clear(); }
    bool acted_on_any() const noexcept { return !acted_on_.empty(); }

private:
    std::chrono::milliseconds settle_time_;
    std::string acted_on_;
    std::string pending_;  // new content seen, waiting to read the same for settle_time_
    Clock::time_point pending_since_{};
};

}  // namespace aia::app
