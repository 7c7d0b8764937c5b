#pragma once
// The one thread that keeps the server in step with its files: the serving
// certificate and the mapping sources both follow theirs through it.
//
// A subscriber names its paths and gives a check, which reads its files and
// acts on what changed. The check runs on the follower's thread:
//   - when something changes in the directory of one of its paths (for a
//     path that is a directory, in that directory: a mounted ConfigMap
//     changes inside it, through kubelet's ..data symlink);
//   - when it asked to be checked again soon (new content still settling);
//   - at the latest every poll interval: the safety net for a change inotify
//     missed or cannot see (inotify unavailable, a directory not there yet);
//   - at once and forced after reload_now() (SIGHUP).
//
//   FileFollower follower;
//   follower.follow({cert_path, key_path}, [&](bool forced) { return reloader.check(forced); });
//   follower.start();
//   ...
//   follower.stop();  // before the subscribers go

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/file_watcher.hpp"

namespace aia::app {

inline constexpr std::chrono::seconds kPollInterval{1};

class FileFollower {
public:
    using Clock = std::chrono::steady_clock;
    // `forced`: act on the files even if they look unchanged. Returns how
    // soon to be checked again (a change is settling), or nullopt: at the
    // next poll.
    using Check = std::function<std::optional<std::chrono::milliseconds>(bool forced)>;

    explicit FileFollower(std::chrono::milliseconds poll_interval = kPollInterval);
    ~FileFollower();  // stop()
    FileFollower(const FileFollower&) = delete;
    FileFollower& operator=(const FileFollower&) = delete;

    // Adds a subscriber; before start(). Its directories are watched from now on.
    void follow(const std::vector<std::string>& paths, Check check);

    void start();
    // Returns once the thread has ended; a check in progress is finished,
    // no other one starts.
    void stop();
    // Runs every subscriber's check now, forced (thread-safe; returns at once).
    void reload_now();

    // False when inotify could not be set up: only the poll notices changes.
    bool watching() const noexcept { return watcher_.active(); }

private:
    struct Subscriber {
        std::vector<std::size_t> directories;  // indices in watcher_
        Check check;
        Clock::time_point due;  // checked at the latest then
    };

    void run();
    void check_subscribers(bool forced);
    bool touched(const Subscriber& subscriber) const;
    std::chrono::milliseconds time_to_next_due() const;

    std::chrono::milliseconds poll_interval_;
    FileWatcher watcher_;
    std::vector<Subscriber> subscribers_;  // follower thread only, once started
    std::vector<bool> changed_;            // per watched directory, since the last round
    std::atomic<bool> stopping_{false};
    std::atomic<bool> reload_requested_{false};
    std::thread thread_;
};

}  // namespace aia::app
