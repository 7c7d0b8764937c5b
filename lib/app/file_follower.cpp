#include "app/file_follower.hpp"

#include <algorithm>
#include <filesystem>

namespace aia::app {
namespace {

namespace fs = std::filesystem;

// A file is watched through its directory (it may be renamed over, deleted
// and re-created); a directory itself (its entries change).
std::string directory_to_watch(const std::string& path) {
    std::error_code ec;
    const fs::path absolute = fs::absolute(path, ec);
    if (ec) return fs::path(path).parent_path().string();
    return fs::is_directory(absolute, ec) ? absolute.string() : absolute.parent_path().string();
}

}  // namespace

FileFollower::FileFollower(std::chrono::milliseconds poll_interval) : poll_interval_(poll_interval) {}

FileFollower::~FileFollower() { stop(); }

void FileFollower::follow(const std::vector<std::string>& paths, Check check) {
    Subscriber subscriber{.directories = {}, .check = std::move(check), .due = Clock::now() + poll_interval_};
    for (const std::string& path : paths) {
        const std::size_t directory = watcher_.watch(directory_to_watch(path));
        changed_.resize(std::max(changed_.size(), directory + 1), false);
        if (std::find(subscriber.directories.begin(), subscriber.directories.end(), directory) ==
            subscriber.directories.end())
            subscriber.directories.push_back(directory);
    }
    subscribers_.push_back(std::move(subscriber));
}

void FileFollower::start() {
    changed_.assign(changed_.size(), false);
    const Clock::time_point first_poll = Clock::now() + poll_interval_;
    for (Subscriber& subscriber : subscribers_) subscriber.due = first_poll;
    thread_ = std::thread([this] { run(); });
}

void FileFollower::stop() {
    stopping_ = true;
    watcher_.interrupt();
    if (thread_.joinable()) thread_.join();
}

void FileFollower::reload_now() {
    reload_requested_ = true;
    watcher_.interrupt();
}

void FileFollower::run() {
    while (!stopping_) {
        watcher_.wait(time_to_next_due(), changed_);
        if (stopping_) break;
        check_subscribers(reload_requested_.exchange(false));
    }
}

void FileFollower::check_subscribers(bool forced) {
    for (Subscriber& subscriber : subscribers_) {
        if (stopping_) return;
        if (!forced && !touched(subscriber) && Clock::now() < subscriber.due) continue;
        const std::optional<std::chrono::milliseconds> again = subscriber.check(forced);
        subscriber.due = Clock::now() + again.value_or(poll_interval_);
    }
    changed_.assign(changed_.size(), false);
}

bool FileFollower::touched(const Subscriber& subscriber) const {
    return std::any_of(subscriber.directories.begin(), subscriber.directories.end(),
                       [this](std::size_t directory) { return changed_[directory]; });
}

std::chrono::milliseconds FileFollower::time_to_next_due() const {
    if (subscribers_.empty()) return poll_interval_;
    Clock::time_point next = subscribers_.front().due;
    for (const Subscriber& subscriber : subscribers_) next = std::min(next, subscriber.due);
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(next - Clock::now());
    return std::clamp(left, std::chrono::milliseconds{0}, poll_interval_);
}

}  // namespace aia::app
