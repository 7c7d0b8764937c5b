#pragma once
// Wakes the mapping reloader when something changes in the directories that
// hold its files.
//
// inotify watches the *directories*, not the files: editors rename over
// files, kubelet swaps a "..data" symlink, controllers delete and re-create,
// and only a directory watch sees all of these. Directories that do not
// exist yet are retried on every wait. Callers still re-check their files on
// a timer; the watch only makes reloads prompt.

#include <chrono>
#include <string>
#include <vector>

namespace aia::app {

class FileWatcher {
public:
    explicit FileWatcher(std::vector<std::string> directories);
    ~FileWatcher();
    FileWatcher(const FileWatcher&) = delete;
    FileWatcher& operator=(const FileWatcher&) = delete;

    // Returns after a change in a watched directory, after `timeout`, or
    // after interrupt(); events that arrive together are drained at once.
    void wait(std::chrono::milliseconds timeout);

    // Makes a current or the next wait() return at once (thread-safe).
    void interrupt();

    // False when inotify could not be set up: wait() then only sleeps.
    bool active() const noexcept { return inotify_fd_ >= 0; }

private:
    void add_missing_watches();

    std::vector<std::string> directories_;
    std::vector<bool> watched_;
    int inotify_fd_ = -1;
    int wake_fd_ = -1;  // eventfd for interrupt()
};

}  // namespace aia::app
