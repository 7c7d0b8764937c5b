#include "app/file_watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace aia::app {
namespace {

constexpr std::uint32_t kEvents =
    IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF;

}  // namespace

FileWatcher::FileWatcher() {
    inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

FileWatcher::~FileWatcher() {
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::size_t FileWatcher::watch(const std::string& directory) {
    const auto known = std::find(directories_.begin(), directories_.end(), directory);
    if (known != directories_.end()) return static_cast<std::size_t>(known - directories_.begin());
    directories_.push_back(directory);
    watch_descriptors_.push_back(-1);
    std::vector<bool> ignored(directories_.size(), false);
    add_missing_watches(ignored);
    return directories_.size() - 1;
}

void FileWatcher::add_missing_watches(std::vector<bool>& changed) {
    if (inotify_fd_ < 0) return;
    for (std::size_t i = 0; i < directories_.size(); ++i) {
        if (watch_descriptors_[i] >= 0) continue;
        watch_descriptors_[i] = ::inotify_add_watch(inotify_fd_, directories_[i].c_str(), kEvents);
        // A directory that has just appeared may already hold the files.
        if (watch_descriptors_[i] >= 0) changed[i] = true;
    }
}

void FileWatcher::wait(std::chrono::milliseconds timeout, std::vector<bool>& changed) {
    add_missing_watches(changed);
    std::array<pollfd, 2> fds{{{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), static_cast<int>(timeout.count())) <= 0) return;
    drain_events(changed);
    std::uint64_t value;
    while (::read(wake_fd_, &value, sizeof value) > 0) {}
}

void FileWatcher::drain_events(std::vector<bool>& changed) {
    alignas(inotify_event) char buffer[16 * 1024];
    while (inotify_fd_ >= 0) {
        const ssize_t n = ::read(inotify_fd_, buffer, sizeof buffer);
        if (n <= 0) break;
        for (char* at = buffer; at < buffer + n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(at);
            mark_changed(event->wd, event->mask & (IN_DELETE_SELF | IN_IGNORED), changed);
            at += sizeof(inotify_event) + event->len;
        }
    }
}

void FileWatcher::mark_changed(int watch_descriptor, bool gone, std::vector<bool>& changed) {
    if (watch_descriptor < 0) {  // the event queue overflowed: anything may have changed
        changed.assign(changed.size(), true);
        return;
    }
    for (std::size_t i = 0; i < directories_.size(); ++i) {
        if (watch_descriptors_[i] != watch_descriptor) continue;
        changed[i] = true;
        if (gone) watch_descriptors_[i] = -1;  // re-added when the directory comes back
    }
}

void FileWatcher::interrupt() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
}

}  // namespace aia::app
