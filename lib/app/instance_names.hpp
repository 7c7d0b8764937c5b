#pragma once
// What the review pipeline needs from EC2, as an interface: the private DNS
// name of an instance, for {{EC2PrivateDNSName}}. AwsSession is the real one
// (cached, batched, rate-limited DescribeInstances); tests script their own.

#include <string>

#include "net/asio.hpp"

namespace aia::app {

// Default-constructible: it crosses threads through co_spawn.
struct Ec2Lookup {
    std::string private_dns_name;  // set on success
    std::string error;             // set on failure
    explicit operator bool() const { return error.empty(); }
};

class InstanceNames {
public:
    virtual ~InstanceNames() = default;
    // From any thread's coroutine; resumes on the caller's executor.
    virtual net::awaitable<Ec2Lookup> private_dns_name(std::string instance_id) = 0;
};

}  // namespace aia::app
