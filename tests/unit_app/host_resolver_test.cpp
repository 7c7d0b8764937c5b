// The shared resolver: concurrent lookups, one per name, bounded waits,
// remembered failures, a lane of its own for the hosts that must keep
// working. Lookups are stand-ins (slow, failing or blocked on purpose); the
// real getaddrinfo is exercised by the integration tests' private DNS.

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <boost/asio/detached.hpp>

#include "net/host_resolver.hpp"

using aia::net::HostResolver;
using aia::net::Resolution;
using aia::net::ResolverOptions;
namespace net = aia::net;
using Kind = Resolution::Kind;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

Resolution address(std::string_view ip) {
    Resolution result;
    result.kind = Kind::Resolved;
    result.endpoints.emplace_back(net::asio::ip::make_address(ip), 443);
    return result;
}

Resolution no_such_name(const std::string& host) {
    Resolution result;
    result.kind = Kind::Failed;
    result.error = "cannot resolve " + host + ": Name or service not known";
    return result;
}

// Lookups that wait until released (or a test-long timeout), counting
// calls. The lookup threads outlive the resolver, so the gate waits for them
// to leave before it goes.
struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    std::set<std::string> open;
    std::atomic<int> calls{0};
    int inside = 0;

    ~Gate() {
        release("*");
        std::unique_lock lock(mutex);
        changed.wait_for(lock, 10s, [&] { return inside == 0; });
    }

    Resolution pass(const std::string& host) {
        ++calls;
        std::unique_lock lock(mutex);
        ++inside;
        changed.wait_for(lock, 10s, [&] { return open.contains(host) || open.contains("*"); });
        --inside;
        changed.notify_all();
        return address("10.0.0.1");
    }
    void release(const std::string& host) {
        {
            std::lock_guard lock(mutex);
            open.insert(host);
        }
        changed.notify_all();
    }
};

// Runs resolve() calls on one io_context thread; results by index.
class Callers {
public:
    explicit Callers(HostResolver& resolver) : resolver_(resolver) {}

    std::size_t start(std::string host, Clock::duration deadline = 10s, bool priority = false) {
        const std::size_t index = results_.size();
        results_.emplace_back();
        finished_at_.emplace_back();
        net::asio::co_spawn(io_, resolver_.resolve(std::move(host), 443, Clock::now() + deadline, priority),
                            [this, index](std::exception_ptr, Resolution result) {
                                results_[index] = std::move(result);
                                finished_at_[index] = Clock::now();
                            });
        return index;
    }

    // Runs until every call so far has finished (or `limit` passes).
    void finish(Clock::duration limit = 5s) {
        const auto until = Clock::now() + limit;
        while (Clock::now() < until && !all_done()) {
            io_.restart();  // run_for stops the context whenever it runs out of work
            io_.run_for(5ms);
        }
        REQUIRE(all_done());
    }

    const Resolution& result(std::size_t i) const { return *results_[i]; }
    Clock::time_point finished_at(std::size_t i) const { return finished_at_[i]; }
    bool done(std::size_t i) const { return results_[i].has_value(); }
    void poll_for(Clock::duration d) {
        io_.restart();
        io_.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(d));
    }

private:
    bool all_done() const {
        for (const auto& r : results_) {
            if (!r) return false;
        }
        return true;
    }
    HostResolver& resolver_;
    net::asio::io_context io_;
    std::deque<std::optional<Resolution>> results_;
    std::deque<Clock::time_point> finished_at_;
};

}  // namespace

TEST_CASE("resolver: IP literals are answered without a lookup", "[resolver]") {
    HostResolver resolver(
        ResolverOptions{.lookup = [](const std::string& host, std::uint16_t) { return no_such_name(host); }});
    Callers callers(resolver);
    const auto v4 = callers.start("127.0.0.1");
    const auto v6 = callers.start("::1");
    callers.finish();
    CHECK(callers.result(v4).ok());
    CHECK(callers.result(v4).endpoints.at(0).address().to_string() == "127.0.0.1");
    CHECK(callers.result(v6).endpoints.at(0).address().to_string() == "::1");
    CHECK(resolver.lookups_started() == 0);
}

TEST_CASE("resolver: callers for one name share one lookup, and its answer is kept", "[resolver]") {
    std::atomic<int> calls{0};
    HostResolver resolver(ResolverOptions{.lookup = [&](const std::string&, std::uint16_t) {
        ++calls;
        std::this_thread::sleep_for(50ms);
        return address("10.1.2.3");
    }});
    Callers callers(resolver);
    for (int i = 0; i < 20; ++i) callers.start("sts.us-west-2.amazonaws.com");
    callers.finish();
    for (int i = 0; i < 20; ++i) {
        REQUIRE(callers.result(static_cast<std::size_t>(i)).ok());
        CHECK(callers.result(static_cast<std::size_t>(i)).endpoints.at(0).address().to_string() == "10.1.2.3");
    }
    CHECK(calls == 1);
    const auto again = callers.start("sts.us-west-2.amazonaws.com");
    callers.finish();
    CHECK(callers.result(again).ok());
    CHECK(calls == 1);
}

TEST_CASE("resolver: different names are looked up at once, not one after another", "[resolver]") {
    HostResolver resolver(ResolverOptions{.threads = 8, .lookup = [](const std::string&, std::uint16_t) {
                                              std::this_thread::sleep_for(200ms);
                                              return address("10.0.0.9");
                                          }});
    Callers callers(resolver);
    const auto started = Clock::now();
    for (int i = 0; i < 8; ++i) callers.start("sts.region" + std::to_string(i) + ".example");
    callers.finish();
    // One queue would take 8 x 200 ms.
    CHECK(Clock::now() - started < 1000ms);
    CHECK(resolver.lookups_started() == 8);
}

TEST_CASE("resolver: a caller waits at most lookup_timeout, or its own deadline", "[resolver]") {
    Gate gate;
    HostResolver resolver(ResolverOptions{
        .lookup_timeout = 150ms, .lookup = [&](const std::string& host, std::uint16_t) { return gate.pass(host); }});
    Callers callers(resolver);
    const auto started = Clock::now();
    const auto slow = callers.start("slow.example");
    const auto impatient = callers.start("impatient.example", 50ms);
    callers.finish();
    CHECK(callers.result(slow).kind == Kind::TimedOut);
    CHECK(callers.result(slow).error == "resolving slow.example took too long");
    CHECK(callers.finished_at(slow) - started >= 140ms);
    CHECK(callers.finished_at(slow) - started < 2s);
    CHECK(callers.result(impatient).kind == Kind::TimedOut);
    CHECK(callers.finished_at(impatient) - started < 140ms);

    // Still running past its timeout: a new caller fails at once instead of
    // waiting again. Once it answers, the answer is there for everyone.
    const auto later = callers.start("slow.example");
    callers.finish();
    CHECK(callers.result(later).kind == Kind::TimedOut);
    gate.release("slow.example");
    bool resolved = false;
    for (int i = 0; i < 200 && !resolved; ++i) {
        std::this_thread::sleep_for(10ms);
        const auto after = callers.start("slow.example");
        callers.finish();
        resolved = callers.result(after).ok();
    }
    CHECK(resolved);
}

TEST_CASE("resolver: a failure is remembered for negative_ttl, then looked up again", "[resolver]") {
    std::atomic<int> calls{0};
    HostResolver resolver(ResolverOptions{.negative_ttl = 300ms, .lookup = [&](const std::string& host, std::uint16_t) {
                                              ++calls;
                                              return no_such_name(host);
                                          }});
    Callers callers(resolver);
    const auto first = callers.start("sts.us-zz1-4.amazonaws.com");
    callers.finish();
    CHECK(callers.result(first).kind == Kind::Failed);
    CHECK(callers.result(first).error == "cannot resolve sts.us-zz1-4.amazonaws.com: Name or service not known");
    for (int i = 0; i < 50; ++i) callers.start("sts.us-zz1-4.amazonaws.com");
    callers.finish();
    for (std::size_t i = 1; i <= 50; ++i) CHECK(callers.result(i).kind == Kind::RecentlyFailed);
    CHECK_THAT(callers.result(1).error, Catch::Contains("failed moments ago"));
    CHECK(calls == 1);
    std::this_thread::sleep_for(350ms);
    const auto retry = callers.start("sts.us-zz1-4.amazonaws.com");
    callers.finish();
    CHECK(callers.result(retry).kind == Kind::Failed);
    CHECK(calls == 2);
}

TEST_CASE("resolver: past max_queued new names fail at once, priority names still resolve", "[resolver]") {
    Gate gate;
    HostResolver resolver(
        ResolverOptions{.threads = 1, .max_queued = 2, .lookup = [&](const std::string& host, std::uint16_t) {
                            return gate.pass(host);
                        }});
    Callers callers(resolver);
    const auto running = callers.start("a.example");
    for (int i = 0; i < 200 && gate.calls < 1; ++i) callers.poll_for(5ms);
    REQUIRE(gate.calls == 1);
    const auto queued1 = callers.start("b.example");
    const auto queued2 = callers.start("c.example");
    const auto refused = callers.start("d.example");
    callers.poll_for(20ms);
    REQUIRE(callers.done(refused));
    CHECK(callers.result(refused).kind == Kind::Busy);
    CHECK_FALSE(callers.done(queued1));

    // The home hosts have a thread of their own: not stuck behind a.example.
    gate.release("sts.amazonaws.com");
    const auto home = callers.start("sts.amazonaws.com", 10s, /*priority=*/true);
    for (int i = 0; i < 400 && !callers.done(home); ++i) callers.poll_for(5ms);
    REQUIRE(callers.done(home));
    CHECK(callers.result(home).ok());
    CHECK_FALSE(callers.done(running));

    gate.release("*");
    callers.finish();
    CHECK(callers.result(running).ok());
    CHECK(callers.result(queued1).ok());
    CHECK(callers.result(queued2).ok());
}

TEST_CASE("resolver: a name in use is refreshed before its answer expires", "[resolver]") {
    std::atomic<int> calls{0};
    HostResolver resolver(ResolverOptions{.positive_ttl = 400ms, .lookup = [&](const std::string&, std::uint16_t) {
                                              return address(++calls == 1 ? "10.0.0.1" : "10.0.0.2");
                                          }});
    Callers callers(resolver);
    callers.start("sts.amazonaws.com");
    callers.finish();
    std::this_thread::sleep_for(330ms);  // within the last quarter of the TTL
    const auto cached = callers.start("sts.amazonaws.com");
    callers.finish();
    CHECK(callers.result(cached).endpoints.at(0).address().to_string() == "10.0.0.1");  // no wait for DNS
    for (int i = 0; i < 200 && calls < 2; ++i) std::this_thread::sleep_for(5ms);
    CHECK(calls == 2);
    std::this_thread::sleep_for(100ms);  // past the first answer's TTL
    const auto refreshed = callers.start("sts.amazonaws.com");
    callers.finish();
    CHECK(callers.result(refreshed).endpoints.at(0).address().to_string() == "10.0.0.2");
    CHECK(calls == 2);
}

TEST_CASE("resolver: the real getaddrinfo answers for localhost and fails for an empty name", "[resolver]") {
    HostResolver resolver;
    Callers callers(resolver);
    const auto local = callers.start("localhost");
    const auto empty = callers.start("");
    callers.finish();
    REQUIRE(callers.result(local).ok());
    CHECK(callers.result(local).endpoints.at(0).address().is_loopback());
    CHECK(callers.result(empty).kind == Kind::Failed);
}

TEST_CASE("resolver: callers torn down with their io_context, or outliving the resolver, are safe", "[resolver]") {
    Gate gate;
    {
        // The io_context goes first, its caller still waiting; the answer comes after.
        HostResolver resolver(
            ResolverOptions{.lookup = [&](const std::string& host, std::uint16_t) { return gate.pass(host); }});
        {
            net::asio::io_context io;
            net::asio::co_spawn(io, resolver.resolve("gone.example", 443, Clock::now() + 10s), net::asio::detached);
            io.run_for(20ms);
            REQUIRE(gate.calls == 1);
        }
        gate.release("gone.example");
        for (int i = 0; i < 200 && resolver.lookups_started() < 1; ++i) std::this_thread::sleep_for(5ms);
        std::this_thread::sleep_for(50ms);  // the answer is delivered to no one
    }
    {
        // The resolver goes first; its caller, destroyed later with the io_context, still leaves cleanly.
        net::asio::io_context io;
        {
            HostResolver resolver(
                ResolverOptions{.lookup = [&](const std::string& host, std::uint16_t) { return gate.pass(host); }});
            net::asio::co_spawn(io, resolver.resolve("orphan.example", 443, Clock::now() + 10s), net::asio::detached);
            io.run_for(20ms);
        }
        gate.release("orphan.example");
    }
    CHECK(gate.calls == 2);
}
