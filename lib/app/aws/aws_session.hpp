#pragma once
// The server's own AWS calls (EC2 lookups and the credential fetches behind
// them) on one thread of their own, so their caches, single-flight and rate
// limit need no locks and a slow AWS never ties up a webhook worker.
//
// Nothing is contacted until the first lookup: a cluster whose mappings never
// use {{EC2PrivateDNSName}} never reads credentials or instance metadata.
// Then the region is resolved (server.region, AWS_REGION,
// AWS_DEFAULT_REGION, the profile's region, instance metadata), the
// credential chain chosen, and, with server.ec2DescribeInstancesRoleARN,
// that role assumed for the EC2 calls.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "app/aws/aws_environment.hpp"
#include "app/aws/ec2_resolver.hpp"
#include "app/instance_names.hpp"
#include "net/asio.hpp"

namespace aia::app {

class Logger;
class Metrics;

struct AwsSessionOptions {
    std::string region;        // server.region; empty: from the environment
    std::string ec2_role_arn;  // server.ec2DescribeInstancesRoleARN
    std::string source_arn;    // server.sourceARN: confused-deputy headers on that AssumeRole
    double ec2_qps = 15;       // --ec2-describeInstances-qps
    int ec2_burst = 5;         // --ec2-describeInstances-burst
    std::chrono::milliseconds call_timeout{std::chrono::seconds{5}};
};

class AwsSession final : public InstanceNames {
public:
    AwsSession(AwsSessionOptions options, AwsEnvironment environment, Logger& log, Metrics& metrics);
    ~AwsSession();  // stops the thread; lookups in flight are abandoned
    AwsSession(const AwsSession&) = delete;
    AwsSession& operator=(const AwsSession&) = delete;

    net::awaitable<Ec2Lookup> private_dns_name(std::string instance_id) override;

private:
    struct State;
    net::awaitable<Ec2Lookup> lookup_here(std::string instance_id);
    net::awaitable<std::string> set_up();  // empty, or why it failed

    AwsSessionOptions options_;
    AwsEnvironment environment_;
    Logger& log_;
    Metrics& metrics_;
    net::asio::io_context io_;
    net::asio::executor_work_guard<net::asio::io_context::executor_type> work_;
    std::shared_ptr<State> state_;
    std::thread thread_;
};

}  // namespace aia::app
