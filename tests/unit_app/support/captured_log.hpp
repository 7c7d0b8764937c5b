#pragma once
// A log file of our own (memfd), read back whole: what a test's Logger wrote.

#include <sys/mman.h>
#include <unistd.h>

#include <string>

namespace aia::test {

struct CapturedLog {
    int fd = ::memfd_create("test-log", 0);
    CapturedLog() = default;
    CapturedLog(const CapturedLog&) = delete;
    CapturedLog& operator=(const CapturedLog&) = delete;
    ~CapturedLog() { ::close(fd); }

    std::string text() const {
        std::string out;
        char buffer[4096];
        for (off_t at = 0;;) {
            const ssize_t n = ::pread(fd, buffer, sizeof buffer, at);
            if (n <= 0) return out;
            out.append(buffer, static_cast<std::size_t>(n));
            at += n;
        }
    }
};

}  // namespace aia::test
