#pragma once
// Log lines written to a file descriptor by a thread of their own, in
// batches: a request never waits for a write(2), only for a short lock, and
// under load many lines leave in one system call (the thread lets lines
// gather for up to 5 ms, or 64 KiB, after the first). Lines keep their order
// and none is dropped: past `max_backlog` bytes, writers wait for the
// backlog to drain. Everything queued is written before destruction returns.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace aia::app {

class LogWriter {
public:
    explicit LogWriter(int fd, std::size_t max_backlog = 4 * 1024 * 1024);
    ~LogWriter();
    LogWriter(const LogWriter&) = delete;
    LogWriter& operator=(const LogWriter&) = delete;

    // Queues `line` and a newline.
    void write(std::string_view line);
    // Returns once every line queued before the call is written.
    void flush();

private:
    void run();

    const int fd_;
    const std::size_t max_backlog_;
    std::mutex mutex_;
    std::condition_variable work_;      // lines queued, or stopping
    std::condition_variable progress_;  // a batch was written
    std::string pending_;
    std::uint64_t queued_batches_ = 0;  // batch number the pending lines will go out in
    std::uint64_t written_batches_ = 0;
    bool stopping_ = false;
    bool idle_ = false;  // the thread waits for lines (rather than gathering or writing)
    std::thread thread_;
};

// Writes all of `text` to `fd`, retrying short writes and EINTR. False on error.
bool write_fully(int fd, std::string_view text);

}  // namespace aia::app
