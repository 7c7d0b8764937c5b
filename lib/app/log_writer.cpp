#include "app/log_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace aia::app {
namespace {

constexpr std::size_t kBatchBytes = 64 * 1024;
constexpr std::chrono::milliseconds kGatherTime{5};

}  // namespace

bool write_fully(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

LogWriter::LogWriter(int fd, std::size_t max_backlog)
    : fd_(fd), max_backlog_(max_backlog), thread_([this] { run(); }) {}

LogWriter::~LogWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    work_.notify_one();
    thread_.join();
}

void LogWriter::write(std::string_view line) {
    std::unique_lock lock(mutex_);
    progress_.wait(lock, [this] { return pending_.size() < max_backlog_ || stopping_; });
    const bool was_empty = pending_.empty();
    pending_.append(line);
    pending_.push_back('\n');
    if (was_empty) ++queued_batches_;
    // Wake the thread only when it sleeps for lack of work, or has gathered enough.
    if ((was_empty && idle_) || pending_.size() >= kBatchBytes) {
        lock.unlock();
        work_.notify_one();
    }
}

void LogWriter::flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t wanted = queued_batches_;
    progress_.wait(lock, [this, wanted] { return written_batches_ >= wanted; });
}

void LogWriter::run() {
    std::string batch;
    std::unique_lock lock(mutex_);
    while (true) {
        idle_ = true;
        work_.wait(lock, [this] { return !pending_.empty() || stopping_; });
        idle_ = false;
        if (pending_.empty() && stopping_) return;
        // Let a busy moment's lines gather: one wake-up and one write for
        // many requests instead of a context switch for each.
        if (!stopping_ && pending_.size() < kBatchBytes) {
            work_.wait_for(lock, kGatherTime, [this] { return stopping_ || pending_.size() >= kBatchBytes; });
        }
        batch.swap(pending_);
        const std::uint64_t batch_number = queued_batches_;
        lock.unlock();
        // A log that cannot be written (a closed stderr) must not stop the
        // server; the lines are lost, as they would be anyway.
        write_fully(fd_, batch);
        batch.clear();
        lock.lock();
        written_batches_ = batch_number;
        progress_.notify_all();
    }
}

}  // namespace aia::app
