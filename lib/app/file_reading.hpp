#pragma once
// The one way this program reads a whole file: a regular file only (a FIFO
// or a device at a configured path is refused, never waited on), read in
// chunks up to an explicit bound (a file that grows while being read cannot
// make us read without end), every failure a value with a reason.

#include <cstddef>
#include <string>

#include "core/util/result.hpp"

namespace aia::app {

struct FileError {
    enum class Kind {
        Missing,     // no such file (a dangling symbolic link included)
        NotRegular,  // a directory, FIFO, socket or device
        TooLarge,    // more than the caller's bound
        Unreadable,  // permissions, I/O errors
    };
    Kind kind;
    std::string reason;   // "No such file or directory", "not a regular file", "larger than N bytes"
    std::string message;  // "cannot read PATH: reason" or "PATH is larger than N bytes"
};

inline constexpr std::size_t kMaxConfigFileBytes = 8 * 1024 * 1024;  // config files, mapping sources
inline constexpr std::size_t kMaxSmallFileBytes = 1024 * 1024;       // certificates, credentials, tokens

// An open file descriptor this object owns: closed (and so unlocked) on
// destruction. -1: none.
class OwnedFd {
public:
    explicit OwnedFd(int fd) : fd_(fd) {}
    ~OwnedFd();
    OwnedFd(OwnedFd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    OwnedFd& operator=(OwnedFd&&) = delete;
    OwnedFd(const OwnedFd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

Result<std::string, FileError> read_file(const std::string& path, std::size_t max_bytes);

// The same bound and wording for a file the caller has opened (and perhaps
// locked) itself; reads from offset 0 whatever the descriptor's position.
Result<std::string, FileError> read_open_file(int fd, const std::string& path, std::size_t max_bytes);

}  // namespace aia::app
