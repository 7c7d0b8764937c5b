#pragma once
// Stand-ins the review pipeline is given in unit tests: a clock that moves
// only when told, an STS that answers from a script, an EC2 that answers from
// a table. No sockets, no sleeping.

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "app/clock.hpp"
#include "app/instance_names.hpp"
#include "net/sts_fetcher.hpp"

namespace aia::test {

class ManualClock final : public app::Clock {
public:
    explicit ManualClock(amz_time::Seconds wall) : wall_(wall) {}
    amz_time::Seconds wall_now() const override { return wall_; }
    std::chrono::steady_clock::time_point steady_now() const override { return steady_; }
    void advance(std::chrono::seconds by) {
        wall_ += by;
        steady_ += by;
    }
    // The wall clock alone, as when it is set (the steady clock never jumps).
    void jump_wall(std::chrono::seconds by) { wall_ += by; }

private:
    amz_time::Seconds wall_;
    std::chrono::steady_clock::time_point steady_{std::chrono::hours{1000}};
};

// Answers each replay with the next scripted answer (the last one repeats),
// and remembers what it was asked.
class ScriptedSts final : public net::StsFetcher {
public:
    std::deque<net::StsAnswer> script;
    std::vector<std::string> asked_hosts;
    std::vector<bool> asked_home;

    net::awaitable<net::StsAnswer> get_caller_identity(const token::PresignedRequest& request, bool home) override {
        asked_hosts.push_back(request.host);
        asked_home.push_back(home);
        if (script.empty()) co_return net::StsAnswer{.kind = net::StsAnswer::Kind::Broken, .error = "no script"};
        net::StsAnswer answer = script.front();
        if (script.size() > 1) script.pop_front();
        co_return answer;
    }

    static net::StsAnswer answered(unsigned status, std::string body) {
        net::StsAnswer answer;
        answer.status = status;
        answer.body = std::move(body);
        return answer;
    }
    static net::StsAnswer failed(net::StsAnswer::Kind kind, std::string error) {
        net::StsAnswer answer;
        answer.kind = kind;
        answer.error = std::move(error);
        return answer;
    }
};

class ScriptedInstances final : public app::InstanceNames {
public:
    std::map<std::string, app::Ec2Lookup> answers;  // by instance ID; others: "not found"
    int calls = 0;

    net::awaitable<app::Ec2Lookup> private_dns_name(std::string instance_id) override {
        ++calls;
        if (auto it = answers.find(instance_id); it != answers.end()) co_return it->second;
        co_return app::Ec2Lookup{.private_dns_name = {}, .error = "instance " + instance_id + " not found"};
    }
};

}  // namespace aia::test
