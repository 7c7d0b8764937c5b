#include "app/aws/ec2_resolver.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <optional>
#include <random>

#include "app/aws/query_request.hpp"
#include "app/metrics.hpp"
#include "core/aws/ec2_instances.hpp"
#include "core/identity/sts_error.hpp"
#include "net/waiters.hpp"

namespace aia::app {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kFirstBackoff{200};
constexpr std::chrono::milliseconds kMaxBackoff{10'000};

net::ClientResponse local_failure(std::string error) {
    net::ClientResponse response;
    response.kind = net::ClientResponse::Kind::Unreachable;
    response.error = std::move(error);
    return response;
}

bool throttled(const net::ClientResponse& response, const identity::StsErrorSummary& error) {
    return response.kind == net::ClientResponse::Kind::Answered &&
           (error.code == "RequestLimitExceeded" || error.code.find("Throttl") != std::string::npos);
}

// Full jitter on the upper half: between half and all of `delay`.
Clock::duration jittered(std::chrono::milliseconds delay) {
    thread_local std::minstd_rand random{std::random_device{}()};
    std::uniform_int_distribution<long> half(delay.count() / 2, delay.count());
    return std::chrono::milliseconds{half(random)};
}

std::string describe_failure(const net::ClientResponse& response, const identity::StsErrorSummary& error) {
    if (response.kind != net::ClientResponse::Kind::Answered) return response.error;
    return "HTTP " + std::to_string(response.status) + (error.code.empty() ? "" : " " + error.code) +
           (error.message.empty() ? "" : ": " + error.message);
}

}  // namespace

struct Ec2Resolver::Pending {
    explicit Pending(net::asio::io_context& io) : waiters(io) {}
    std::optional<Ec2Lookup> result;
    net::Waiters waiters;
};

Ec2Resolver::Ec2Resolver(net::asio::io_context& io, net::HttpClient& http,
                         std::shared_ptr<RefreshingCredentials> credentials, Ec2ResolverOptions options,
                         Metrics* metrics)
    : io_(io),
      http_(http),
      credentials_(std::move(credentials)),
      options_(std::move(options)),
      metrics_(metrics),
      names_(options_.cache_size),
      failures_(1024),
      bucket_(options_.qps, options_.burst, Clock::now()) {}

Ec2Resolver::~Ec2Resolver() = default;

net::awaitable<Ec2Lookup> Ec2Resolver::lookup(std::string instance_id) {
    if (const std::string* name = names_.find(instance_id)) {
        if (metrics_) metrics_->ec2_cache_lookup(true);
        co_return Ec2Lookup{*name, {}};
    }
    if (metrics_) metrics_->ec2_cache_lookup(false);
    if (const Remembered* failure = failures_.find(instance_id)) {
        if (Clock::now() < failure->until) co_return Ec2Lookup{{}, failure->error};
        failures_.erase(instance_id);
    }

    std::shared_ptr<Pending>& slot = pending_[instance_id];
    if (!slot) {
        slot = std::make_shared<Pending>(io_);
        queue_.push_back(instance_id);
        if (!sending_) {
            sending_ = true;
            net::asio::co_spawn(io_, send_queued(), net::asio::detached);
        }
    }
    const std::shared_ptr<Pending> pending = slot;
    co_await pending->waiters.wait(options_.lookup_deadline);
    if (pending->result) co_return *pending->result;
    co_return Ec2Lookup{{}, "no answer from EC2 within " + std::to_string(options_.lookup_deadline.count()) + " ms"};
}

// One sender: ids that arrive while it waits for the rate limit or for EC2
// form the next batch.
net::awaitable<void> Ec2Resolver::send_queued() {
    while (!queue_.empty()) {
        co_await wait_for_token();
        const std::size_t count = std::min(queue_.size(), options_.max_batch);
        std::vector<std::string> batch(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
        try {
            co_await resolve(batch);
        } catch (const std::exception& e) {
            for (const std::string& id : batch) settle(id, {{}, std::string("EC2 lookup failed: ") + e.what()});
        }
    }
    sending_ = false;
}

// Resolves every id of `ids` (settling each), starting with a token in hand.
net::awaitable<void> Ec2Resolver::resolve(std::vector<std::string> ids) {
    net::ClientResponse response;
    identity::StsErrorSummary error;
    for (int attempt = 0;; ++attempt) {
        if (attempt > 0) co_await wait_for_token();
        response = co_await describe(ids);
        error = response.kind == net::ClientResponse::Kind::Answered && response.status != 200
                    ? identity::summarize_sts_error(response.body)
                    : identity::StsErrorSummary{};
        if (!throttled(response, error)) {
            throttle_streak_ = 0;
            break;
        }
        if (metrics_) metrics_->ec2_throttled();
        if (attempt == options_.throttle_retries) {
            for (const std::string& id : ids) {
                settle(id, {{},
                            "EC2 DescribeInstances is throttled (" + error.code + "), gave up after " +
                                std::to_string(attempt + 1) + " attempts"});
            }
            co_return;
        }
        // Everyone slows down, more so while EC2 keeps refusing.
        const auto backoff = std::min(kMaxBackoff, kFirstBackoff * (1 << std::min(throttle_streak_, 6)));
        ++throttle_streak_;
        bucket_.pause_until(Clock::now() + jittered(backoff));
    }

    if (response.kind == net::ClientResponse::Kind::Answered && response.status == 200) {
        auto instances = aws::parse_describe_instances(response.body);
        if (!instances) {
            for (const std::string& id : ids) settle(id, {{}, "EC2 DescribeInstances answer: " + instances.error()});
            co_return;
        }
        for (const std::string& id : ids) {
            const auto found =
                std::find_if(instances->begin(), instances->end(),
                             [&](const aws::Ec2Instance& instance) { return instance.instance_id == id; });
            if (found == instances->end()) {
                settle(id, {{}, "EC2 did not return instance " + id}, true);
            } else if (found->private_dns_name.empty()) {
                settle(id,
                       {{},
                        "EC2 instance " + id + " has no private DNS name (state " +
                            (found->state.empty() ? std::string("unknown") : found->state) + ")"},
                       true);
            } else {
                settle(id, {found->private_dns_name, {}});
            }
        }
        co_return;
    }

    // EC2 refuses a whole call when one id is unknown or malformed: split it
    // until those ids stand alone.
    if (error.code.starts_with("InvalidInstanceID")) {
        if (ids.size() == 1) {
            settle(ids.front(), {{}, "EC2 has no instance " + ids.front() + " (" + error.code + ")"}, true);
            co_return;
        }
        const auto middle = ids.begin() + static_cast<std::ptrdiff_t>(ids.size() / 2);
        std::vector<std::string> second(middle, ids.end());
        ids.erase(middle, ids.end());
        co_await wait_for_token();
        co_await resolve(std::move(ids));
        co_await wait_for_token();
        co_await resolve(std::move(second));
        co_return;
    }
    for (const std::string& id : ids)
        settle(id, {{}, "EC2 DescribeInstances failed: " + describe_failure(response, error)});
}

net::awaitable<net::ClientResponse> Ec2Resolver::describe(const std::vector<std::string>& ids) {
    auto credentials = co_await credentials_->get();
    if (!credentials) co_return local_failure("no AWS credentials to sign with (" + credentials.error() + ")");
    net::ClientRequest request = query_request(
        options_.endpoint, {"ec2", options_.region, aws::describe_instances_body(ids), {}}, &credentials.value());
    if (metrics_) metrics_->ec2_describe_instances_call();
    co_return co_await http_.send(options_.endpoint.endpoint, std::move(request), options_.call_timeout);
}

net::awaitable<void> Ec2Resolver::wait_for_token() {
    for (;;) {
        const Clock::duration wait = bucket_.take(Clock::now());
        if (wait == Clock::duration::zero()) co_return;
        net::asio::steady_timer timer(io_, wait);
        boost::system::error_code ignored;
        co_await timer.async_wait(net::asio::redirect_error(net::use_awaitable, ignored));
    }
}

void Ec2Resolver::settle(const std::string& id, Ec2Lookup result, bool definitive) {
    if (result) {
        names_.put(id, result.private_dns_name);
    } else if (definitive) {
        failures_.put(id, {result.error, Clock::now() + options_.negative_ttl});
    }
    const auto it = pending_.find(id);
    if (it == pending_.end()) return;
    const std::shared_ptr<Pending> pending = it->second;
    pending_.erase(it);
    pending->result = std::move(result);
    pending->waiters.wake_all();
}

}  // namespace aia::app
