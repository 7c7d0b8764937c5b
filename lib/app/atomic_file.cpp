#include "app/atomic_file.hpp"

#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace aia::app {

namespace fs = std::filesystem;

Result<bool, std::string> write_atomically(const std::string& path, const std::string& content, mode_t mode) {
    const fs::path target(path);
    const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec) return fail("cannot create directory " + directory.string() + ": " + ec.message());

    unsigned char random_bytes[8];
    RAND_bytes(random_bytes, sizeof random_bytes);
    std::string temporary = path + ".tmp-";
    for (unsigned char byte : random_bytes) temporary += "0123456789abcdef"[byte % 16];

    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return fail("cannot create " + temporary + ": " + std::strerror(errno));
    bool ok = ::fchmod(fd, mode) == 0;  // the umask may have narrowed `mode`
    for (std::size_t written = 0; ok && written < content.size();) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) written += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    if (!ok) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        return fail("cannot write " + temporary + ": " + reason);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        return fail("cannot rename " + temporary + " to " + path + ": " + reason);
    }
    if (const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return true;
}

}  // namespace aia::app
