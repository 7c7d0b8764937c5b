#include "app/file_watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cstdint>

namespace aia::app {

FileWatcher::FileWatcher(std::vector<std::string> directories)
    : directories_(std::move(directories)), watched_(directories_.size(), false) {
    inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    add_missing_watches();
}

FileWatcher::~FileWatcher() {
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

void FileWatcher::add_missing_watches() {
    if (inotify_fd_ < 0) return;
    constexpr std::uint32_t kEvents =
        IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF;
    for (std::size_t i = 0; i < directories_.size(); ++i) {
        if (!watched_[i]) watched_[i] = ::inotify_add_watch(inotify_fd_, directories_[i].c_str(), kEvents) >= 0;
    }
}

void FileWatcher::wait(std::chrono::milliseconds timeout) {
    add_missing_watches();
    std::array<pollfd, 2> fds{{{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), static_cast<int>(timeout.count())) <= 0) return;

    alignas(inotify_event) char buffer[16 * 1024];
    bool directory_gone = false;
    while (inotify_fd_ >= 0) {
        const ssize_t n = ::read(inotify_fd_, buffer, sizeof buffer);
        if (n <= 0) break;
        for (char* at = buffer; at < buffer + n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(at);
            directory_gone = directory_gone || (event->mask & (IN_DELETE_SELF | IN_IGNORED));
            at += sizeof(inotify_event) + event->len;
        }
    }
    if (directory_gone) watched_.assign(watched_.size(), false);  // re-added when the directory comes back
    std::uint64_t value;
    while (::read(wake_fd_, &value, sizeof value) > 0) {}
}

void FileWatcher::interrupt() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
}

}  // namespace aia::app
