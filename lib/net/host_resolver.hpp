#pragma once
// Name resolution for the server's outgoing calls, shared by every worker.
//
// getaddrinfo blocks and cannot be interrupted, and Asio's resolver runs it
// on one private thread per io_context, one lookup at a time: names that
// resolve slowly, or not at all, would queue every other lookup behind them.
// Here instead:
//   - lookups run concurrently on a small pool of threads shared by all
//     workers, one lookup per name at a time (callers for the same name share it);
//   - a caller waits at most lookup_timeout (or less, by its own deadline),
//     whatever the lookup does;
//   - an answer is kept for positive_ttl and refreshed in the background
//     before it expires; a failure is remembered for negative_ttl, during
//     which the name fails at once (RecentlyFailed) without another lookup;
//   - at most max_queued lookups wait for a thread; beyond that a new name
//     fails at once (Busy);
//   - `priority` names (the hosts that must keep working whatever else is
//     asked for: the global STS endpoint, the server's own region) jump the
//     queue, have two threads of their own and are never refused as Busy.
//
// The caller's executor must run on one thread (every io_context here
// does): the answer is handed over by posting to it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "net/asio.hpp"

namespace aia::net {

struct Resolution;

struct ResolverOptions {
    unsigned threads = 8;                            // lookups at once, besides the two priority threads
    std::size_t max_queued = 256;                    // lookups waiting for a thread; more are Busy
    std::chrono::milliseconds lookup_timeout{2000};  // the longest a caller waits for a lookup
    std::chrono::milliseconds positive_ttl{30'000};  // AWS endpoints' DNS TTLs are 60 s
    std::chrono::milliseconds negative_ttl{5'000};   // a failed name fails at once this long
    std::size_t max_names = 4096;                    // names remembered at once
    // How one name is looked up, on a lookup thread; empty: getaddrinfo.
    std::function<Resolution(const std::string& host, std::uint16_t port)> lookup;
};

struct Resolution {
    enum class Kind {
        Resolved,        // endpoints holds the addresses
        Failed,          // the lookup failed (no such name, no answer)
        TimedOut,        // no answer within lookup_timeout or the caller's deadline
        RecentlyFailed,  // the name failed within negative_ttl: not looked up again
        Busy,            // max_queued lookups were waiting: not looked up
    };
    Kind kind = Kind::Failed;
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;
    std::string error;  // what went wrong, for the log

    bool ok() const noexcept { return kind == Kind::Resolved; }
};

class HostResolver {
public:
    explicit HostResolver(ResolverOptions options = {});
    ~HostResolver();
    HostResolver(const HostResolver&) = delete;
    HostResolver& operator=(const HostResolver&) = delete;

    // `host` may be an IP literal (answered at once). Completes on the
    // caller's executor.
    awaitable<Resolution> resolve(std::string host, std::uint16_t port, std::chrono::steady_clock::time_point deadline,
                                  bool priority = false);

    // getaddrinfo calls started so far (tests).
    std::size_t lookups_started() const;

    const ResolverOptions& options() const noexcept;

private:
    void stop() noexcept;

    struct State;
    std::shared_ptr<State> state_;  // shared with the lookup threads, which may outlive us inside getaddrinfo
};

}  // namespace aia::net
