#include "app/client/credential_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

#include "app/file_reading.hpp"

namespace aia::app {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxCacheBytes = 1024 * 1024;

std::string errno_text() { return std::strerror(errno); }

// Regular, ours, and readable by nobody else.
Result<bool, std::string> check_private(int fd, const std::string& path) {
    struct stat status {};
    if (::fstat(fd, &status) != 0) return fail("cannot stat cache file " + path + ": " + errno_text());
    if (!S_ISREG(status.st_mode)) return fail("cache file " + path + " is not a regular file");
    if (status.st_uid != ::geteuid()) return fail("cache file " + path + " belongs to another user");
    if ((status.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
        return fail("cache file " + path + " is not private (mode " + mode + "); chmod 600 it");
    }
    return true;
}

// A bounded wait: another run holds the lock for milliseconds; a stuck one
// must not hang kubectl (upstream also gives up after a second).
bool lock(int fd, int operation) {
    for (int attempt = 0; attempt < 40; ++attempt) {
        if (::flock(fd, operation | LOCK_NB) == 0) return true;
        if (errno != EWOULDBLOCK && errno != EINTR) return false;
        ::usleep(25'000);
    }
    return false;
}

Result<std::string, std::string> read_all(int fd, const std::string& path) {
    auto text = read_open_file(fd, "cache file " + path, kMaxCacheBytes);
    if (!text) return fail(std::move(text).error().message);
    return std::move(text).value();
}

Result<bool, std::string> write_all(int fd, const std::string& text, const std::string& path) {
    if (::ftruncate(fd, 0) != 0) return fail("cannot truncate cache file " + path + ": " + errno_text());
    for (std::size_t written = 0; written < text.size();) {
        const ssize_t n = ::pwrite(fd, text.data() + written, text.size() - written, static_cast<off_t>(written));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("cannot write cache file " + path + ": " + errno_text());
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) return fail("cannot sync cache file " + path + ": " + errno_text());
    return true;
}

}  // namespace

std::string CredentialCache::default_path(const AwsEnvironment& environment) {
    if (environment.has("AWS_IAM_AUTHENTICATOR_CACHE_FILE")) return environment.get("AWS_IAM_AUTHENTICATOR_CACHE_FILE");
    return environment.get("HOME") + "/.kube/cache/aws-iam-authenticator/credentials.yaml";
}

Result<CredentialCache, std::string> CredentialCache::open(std::string path) {
    const OwnedFd file(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (file.get() < 0) {
        if (errno == ENOENT) return CredentialCache(std::move(path), client::CredentialCacheFile::parse("").value());
        return fail("cannot open cache file " + path + ": " + errno_text());
    }
    if (auto ok = check_private(file.get(), path); !ok) return fail(std::move(ok).error());
    if (!lock(file.get(), LOCK_SH)) return fail("cannot lock cache file " + path);
    auto text = read_all(file.get(), path);
    if (!text) return fail(std::move(text).error());
    auto parsed = client::CredentialCacheFile::parse(*text);
    if (!parsed) return fail("cache file " + path + ": " + parsed.error());
    return CredentialCache(std::move(path), std::move(parsed).value());
}

std::optional<aws::AwsCredentials> CredentialCache::find(const client::CacheKey& key, amz_time::Seconds now) const {
    auto credentials = file_.find(key);
    if (!credentials || !credentials->expiration || *credentials->expiration - now < kMinCachedValidity)
        return std::nullopt;
    return credentials;
}

Result<bool, std::string> CredentialCache::store(const client::CacheKey& key, const aws::AwsCredentials& credentials) {
    const fs::path directory = fs::path(path_).parent_path();
    if (!directory.empty()) {
        std::error_code ec;
        if (!fs::exists(directory, ec)) {
            fs::create_directories(directory, ec);
            if (ec) return fail("cannot create " + directory.string() + ": " + ec.message());
            fs::permissions(directory, fs::perms::owner_all, ec);
        }
    }
    const OwnedFd file(::open(path_.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
    if (file.get() < 0) return fail("cannot open cache file " + path_ + ": " + errno_text());
    if (auto ok = check_private(file.get(), path_); !ok) return fail(std::move(ok).error());
    if (!lock(file.get(), LOCK_EX)) return fail("cannot lock cache file " + path_);
    // Another run may have added entries meanwhile; a damaged file (a
    // crash mid-write) is only a cache, and is started afresh.
    auto text = read_all(file.get(), path_);
    if (!text) return fail(std::move(text).error());
    auto current = client::CredentialCacheFile::parse(*text);
    client::CredentialCacheFile updated =
        current ? std::move(current).value() : client::CredentialCacheFile::parse("").value();
    updated.put(key, credentials);
    if (auto written = write_all(file.get(), updated.render(), path_); !written)
        return fail(std::move(written).error());
    file_ = std::move(updated);
    return true;
}

}  // namespace aia::app
