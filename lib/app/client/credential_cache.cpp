#include "app/client/credential_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/atomic_file.hpp"

namespace aia::app {
namespace {

namespace fs = std::filesystem;

// Reads the cache file: absent is empty; readable by group or others is refused.
Result<client::CredentialCacheFile, std::string> read_cache(const std::string& path) {
    struct stat status {};
    if (::lstat(path.c_str(), &status) != 0) {
        if (errno == ENOENT) return client::CredentialCacheFile::parse("");
        return fail("cannot read cache file " + path + ": " + std::strerror(errno));
    }
    if (!S_ISREG(status.st_mode)) return fail("cache file " + path + " is not a regular file");
    if ((status.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
        return fail("cache file " + path + " is not private (mode " + mode + "); chmod 600 it");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot read cache file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = client::CredentialCacheFile::parse(text.str());
    if (!parsed) return fail("cache file " + path + ": " + parsed.error());
    return parsed;
}

// An exclusive flock on "<path>.lock", held for one read-modify-write.
class FileLock {
public:
    explicit FileLock(const std::string& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) {
        if (fd_ < 0) return;
        // Bounded: another run holds it for milliseconds; a stuck one must not hang kubectl.
        for (int attempt = 0; attempt < 40; ++attempt) {
            if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) {
                locked_ = true;
                return;
            }
            ::usleep(25'000);
        }
    }
    ~FileLock() {
        if (fd_ >= 0) ::close(fd_);  // releases the lock
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    bool locked() const { return locked_; }

private:
    int fd_;
    bool locked_ = false;
};

}  // namespace

std::string CredentialCache::default_path(const AwsEnvironment& environment) {
    if (environment.has("AWS_IAM_AUTHENTICATOR_CACHE_FILE")) return environment.get("AWS_IAM_AUTHENTICATOR_CACHE_FILE");
    return environment.get("HOME") + "/.kube/cache/aws-iam-authenticator/credentials.yaml";
}

Result<CredentialCache, std::string> CredentialCache::open(std::string path) {
    auto file = read_cache(path);
    if (!file) return fail(std::move(file).error());
    return CredentialCache(std::move(path), std::move(file).value());
}

std::optional<aws::AwsCredentials> CredentialCache::find(const client::CacheKey& key, amz_time::Seconds now) const {
    auto credentials = file_.find(key);
    if (!credentials || !credentials->expiration || *credentials->expiration - now < kMinCachedValidity) return std::nullopt;
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
    const FileLock lock(path_ + ".lock");
    if (!lock.locked()) return fail("cannot lock " + path_ + ".lock");
    auto current = read_cache(path_);  // another run may have added entries meanwhile
    if (!current) return fail(std::move(current).error());
    current->put(key, credentials);
    auto written = write_atomically(path_, current->render(), 0600);
    if (!written) return fail(std::move(written).error());
    file_ = std::move(current).value();
    return true;
}

}  // namespace aia::app
