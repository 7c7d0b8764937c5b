#pragma once
// `token --cache`: temporary credentials kept between runs, so kubectl's
// frequent `token` calls do not assume a role (or ask an identity centre)
// every time. The file is upstream's (see core/client/credential_cache_file.hpp):
//   $AWS_IAM_AUTHENTICATOR_CACHE_FILE, or ~/.kube/cache/aws-iam-authenticator/credentials.yaml
// It holds secrets: a file readable by others is refused, and it is written
// 0600 (directory 0700), atomically, under an exclusive lock so concurrent
// runs do not lose each other's entries.

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

    // Reads the file if it exists. Fails when it is not private or not a cache.
    static Result<CredentialCache, std::string> open(std::string path);

    std::optional<aws::AwsCredentials> find(const client::CacheKey& key, amz_time::Seconds now) const;

    // Re-reads the file under the lock, adds the entry, writes it back.
    Result<bool, std::string> store(const client::CacheKey& key, const aws::AwsCredentials& credentials);

    const std::string& path() const { return path_; }

private:
    CredentialCache(std::string path, client::CredentialCacheFile file) : path_(std::move(path)), file_(std::move(file)) {}

    std::string path_;
    client::CredentialCacheFile file_;
};

}  // namespace aia::app
