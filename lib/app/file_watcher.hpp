#pragma once
// Tells the file follower which of its directories changed.
//
// inotify watches the *directories*, not the files: editors rename over
// files, kubelet swaps a "..data" symlink, controllers delete and re-create,
// and only a directory watch sees all of these. Directories that do not
// exist yet are retried on every wait. The follower still re-checks its
// files on a timer; the watch only makes reloads prompt.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace aia::app {

class FileWatcher {
public:
    FileWatcher();
    ~FileWatcher();
    FileWatcher(const FileWatcher&) = delete;
    FileWatcher& operator=(const FileWatcher&) = delete;

    // Starts watching `directory` (at once, so changes from now on are
    // seen); returns its index for wait(). The same path has one index.
    // Not while another thread waits.
    std::size_t watch(const std::string& directory);

    // Returns after a change in a watched directory, after `timeout`, or
    // after interrupt(); events that arrive together are drained at once.
    // Sets `changed[i]` for each directory that changed or came to be
    // watched (`changed` has one entry per directory).
    void wait(std::chrono::milliseconds timeout, std::vector<bool>& changed);

    // Makes a current or the next wait() return at once (thread-safe).
    void interrupt();

    // False when inotify could not be set up: wait() then only sleeps.
    bool active() const noexcept { return inotify_fd_ >= 0; }

private:
    void add_missing_watches(std::vector<bool>& changed);
    void drain_events(std::vector<bool>& changed);
    void mark_changed(int watch_descriptor, bool gone, std::vector<bool>& changed);

    std::vector<std::string> directories_;
    std::vector<int> watch_descriptors_;  // per directory; -1 while not watched
    int inotify_fd_ = -1;
    int wake_fd_ = -1;  // eventfd for interrupt()
};

}  // namespace aia::app
