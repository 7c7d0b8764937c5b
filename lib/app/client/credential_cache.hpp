#pragma once
// `token --cache`: the credential chain's temporary credentials kept between
// runs, as upstream keeps them, so kubectl's frequent `token` calls do not
// assume a profile's role (or ask an identity centre) every time. The file
// is upstream's, shared with it (see core/client/credential_cache_file.hpp):
//   $AWS_IAM_AUTHENTICATOR_CACHE_FILE, or ~/.kube/cache/aws-iam-authenticator/credentials.yaml
// It holds secrets: a file that is not a regular file owned by us and
// private is refused; it is created 0600 (directory 0700) and never through
// a symlink. Readers take a shared flock on it and writers an exclusive one
// and rewrite it in place, upstream's protocol, so both tools can share it.

#include <chrono>
#include <optional>
#include <string>

#include "app/aws/aws_environment.hpp"
#include "core/client/credential_cache_file.hpp"
#include "core/util/amz_time.hpp"
#include "core/util/result.hpp"

namespace aia::app {

// Credentials this close to expiry are fetched again rather than reused: a
// token signed with them must outlive the few minutes kubectl holds it.
inline constexpr std::chrono::minutes kMinCachedValidity{5};

class CredentialCache {
public:
    static std::string default_path(const AwsEnvironment& environment);

    // Reads the file if it exists. Fails when it is not ours, not private, or not a cache.
    static Result<CredentialCache, std::string> open(std::string path);

    std::optional<aws::AwsCredentials> find(const client::CacheKey& key, amz_time::Seconds now) const;

    // Re-reads the file under the lock, adds the entry, writes it back.
    Result<bool, std::string> store(const client::CacheKey& key, const aws::AwsCredentials& credentials);

    const std::string& path() const { return path_; }

private:
    CredentialCache(std::string path, client::CredentialCacheFile file)
        : path_(std::move(path)), file_(std::move(file)) {}

    std::string path_;
    client::CredentialCacheFile file_;
};

}  // namespace aia::app
