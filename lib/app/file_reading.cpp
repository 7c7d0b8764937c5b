#include "app/file_reading.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace aia::app {
namespace {

FileError error_from_errno(const std::string& path, int error) {
    std::string reason = std::strerror(error);
    return {error == ENOENT ? FileError::Kind::Missing : FileError::Kind::Unreadable, reason,
            "cannot read " + path + ": " + reason};
}

}  // namespace

OwnedFd::~OwnedFd() {
    if (fd_ >= 0) ::close(fd_);
}

Result<std::string, FileError> read_open_file(int fd, const std::string& path, std::size_t max_bytes) {
    struct stat info {};
    if (::fstat(fd, &info) != 0) return fail(error_from_errno(path, errno));
    if (!S_ISREG(info.st_mode))
        return fail(FileError{FileError::Kind::NotRegular, "not a regular file",
                              "cannot read " + path + ": not a regular file"});
    std::string content;
    // In chunks: mapping files are read every second, and a buffer of the
    // maximum size, zeroed each time, once cost a fifth of the server's CPU.
    char chunk[16384];
    off_t offset = 0;
    while (content.size() <= max_bytes) {
        const ssize_t n = ::pread(fd, chunk, sizeof chunk, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(error_from_errno(path, errno));
        if (n == 0) return content;
        content.append(chunk, static_cast<std::size_t>(n));
        offset += n;
    }
    const std::string reason = "larger than " + std::to_string(max_bytes) + " bytes";
    return fail(FileError{FileError::Kind::TooLarge, reason, path + " is " + reason});
}

Result<std::string, FileError> read_file(const std::string& path, std::size_t max_bytes) {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    const OwnedFd file(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (file.get() < 0) return fail(error_from_errno(path, errno));
    return read_open_file(file.get(), path, max_bytes);
}

}  // namespace aia::app
