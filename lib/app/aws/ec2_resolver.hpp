#pragma once
// EC2 instance id -> private DNS name, for {{EC2PrivateDNSName}}, through
// DescribeInstances, without ever letting node joins flood EC2:
//   - names are cached (an instance's private DNS name never changes), LRU-bounded;
//   - concurrent lookups of one instance share one call;
//   - ids that arrive while a call is in flight or waits for the rate limit
//     go together in the next call (up to 100 per call);
//   - calls are rate-limited (--ec2-describeInstances-qps / -burst);
//   - RequestLimitExceeded pauses all calls with a growing, jittered backoff;
//   - a batch EC2 refuses because an id does not exist is split in halves
//     until the unknown ids are isolated.
// Failures are answers too, never cached as names: an unknown instance or
// one without a private DNS name (pending, terminated) is remembered as
// such for a few seconds, so a replayed token cannot make us hammer EC2.
//
// Runs on the AWS thread's io_context (see AwsSession): no locks.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/instance_names.hpp"
#include "app/aws/aws_environment.hpp"
#include "app/aws/credential_providers.hpp"
#include "core/util/lru_cache.hpp"
#include "core/util/token_bucket.hpp"
#include "net/asio.hpp"
#include "net/http_client.hpp"

namespace aia::app {

class Metrics;

struct Ec2ResolverOptions {
    UrlEndpoint endpoint;  // https://ec2.<region>.<domain>, or an override
    std::string region;    // for signing
    double qps = 15;       // upstream's defaults
    int burst = 5;
    std::size_t cache_size = 50'000;
    std::size_t max_batch = 100;
    std::chrono::milliseconds call_timeout{std::chrono::seconds{5}};
    std::chrono::milliseconds lookup_deadline{std::chrono::seconds{10}};
    std::chrono::seconds negative_ttl{10};
    int throttle_retries = 3;
};

class Ec2Resolver {
public:
    Ec2Resolver(net::asio::io_context& io, net::HttpClient& http, std::shared_ptr<RefreshingCredentials> credentials,
                Ec2ResolverOptions options, Metrics* metrics);
    ~Ec2Resolver();
    Ec2Resolver(const Ec2Resolver&) = delete;
    Ec2Resolver& operator=(const Ec2Resolver&) = delete;

    net::awaitable<Ec2Lookup> lookup(std::string instance_id);

private:
    struct Pending;
    struct Remembered {
        std::string error;
        std::chrono::steady_clock::time_point until;
    };

    net::awaitable<void> send_queued();
    net::awaitable<void> resolve(std::vector<std::string> ids);
    net::awaitable<net::ClientResponse> describe(const std::vector<std::string>& ids);
    net::awaitable<void> wait_for_token();
    // `definitive`: EC2's own answer about the instance, remembered for negative_ttl.
    void settle(const std::string& id, Ec2Lookup result, bool definitive = false);

    net::asio::io_context& io_;
    net::HttpClient& http_;
    std::shared_ptr<RefreshingCredentials> credentials_;
    Ec2ResolverOptions options_;
    Metrics* metrics_;

    LruCache<std::string> names_;
    LruCache<Remembered> failures_;
    std::unordered_map<std::string, std::shared_ptr<Pending>> pending_;
    std::vector<std::string> queue_;
    bool sending_ = false;
    TokenBucket bucket_;
    int throttle_streak_ = 0;
};

}  // namespace aia::app
