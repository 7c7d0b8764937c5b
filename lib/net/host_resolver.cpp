#include "net/host_resolver.hpp"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/steady_timer.hpp>

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_map>

namespace aia::net {
namespace {

using Clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;

constexpr unsigned kPriorityThreads = 2;

// One caller waiting for a lookup, owned by the caller's coroutine. The
// lookup thread reaches it only while it is registered with its name, and
// only by posting to its executor a handler that holds a weak reference:
// whatever the handler outlives (the caller gave up, the io_context is being
// torn down), destroying it destroys no I/O object.
struct Waiter {
    explicit Waiter(const asio::any_io_executor& on) : executor(on), timer(on) {}
    asio::any_io_executor executor;
    asio::steady_timer timer;  // wakes the caller: cancelled by the answer, or expires
    bool done = false;         // executor's thread only
    Resolution result;         // executor's thread only
};

// Whether an io_context still takes handlers. A lookup thread must not post
// into one that is being destroyed (Asio's scheduler empties its queue
// without its lock then), so every io_context that ever waits for a lookup
// gets one gate, closed by its own shutdown -- which runs before the
// scheduler's, since this service is registered after it.
class Gate : public asio::execution_context::service {
public:
    using key_type = Gate;
    static asio::execution_context::id id;

    explicit Gate(asio::execution_context& context) : service(context) {}

    struct State {
        std::mutex mutex;
        bool open = true;
    };
    const std::shared_ptr<State> state = std::make_shared<State>();

private:
    void shutdown() override {
        std::lock_guard lock(state->mutex);
        state->open = false;
    }
};
asio::execution_context::id Gate::id;

struct Registered {
    const Waiter* id;
    std::weak_ptr<Waiter> waiter;
    asio::any_io_executor executor;
    std::shared_ptr<Gate::State> gate;
};

struct Name {
    std::string host;
    std::uint16_t port = 0;
    std::vector<tcp::endpoint> endpoints;  // the last answer
    Clock::time_point fresh_until{};       // endpoints are good until then
    Clock::time_point failed_until{};      // a failure is remembered until then
    std::string failure;
    bool in_flight = false;       // queued or being looked up
    Clock::time_point started{};  // when the lookup in flight was queued
    std::vector<Registered> waiters;
};

Resolution resolved(std::vector<tcp::endpoint> endpoints) {
    Resolution result;
    result.kind = Resolution::Kind::Resolved;
    result.endpoints = std::move(endpoints);
    return result;
}

Resolution failure(Resolution::Kind kind, std::string error) {
    Resolution result;
    result.kind = kind;
    result.error = std::move(error);
    return result;
}

// getaddrinfo, for TCP, on addresses this host can use.
Resolution look_up(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
    addrinfo* list = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
    if (rc != 0) {
        const std::string why = rc == EAI_SYSTEM ? std::system_category().message(errno) : ::gai_strerror(rc);
        return failure(Resolution::Kind::Failed, "cannot resolve " + host + ": " + why);
    }
    std::vector<tcp::endpoint> endpoints;
    for (const addrinfo* item = list; item != nullptr; item = item->ai_next) {
        if ((item->ai_family != AF_INET && item->ai_family != AF_INET6) || item->ai_addrlen > sizeof(sockaddr_in6))
            continue;
        tcp::endpoint endpoint;
        std::memcpy(endpoint.data(), item->ai_addr, item->ai_addrlen);
        endpoint.resize(item->ai_addrlen);
        endpoints.push_back(endpoint);
    }
    ::freeaddrinfo(list);
    if (endpoints.empty()) return failure(Resolution::Kind::Failed, "cannot resolve " + host + ": no usable address");
    return resolved(std::move(endpoints));
}

}  // namespace

struct HostResolver::State {
    explicit State(const ResolverOptions& settings) : options(settings) {}

    const ResolverOptions options;
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::unordered_map<std::string, Name> names;  // by "host:port"
    std::deque<std::string> queue;                // names waiting for a thread
    std::deque<std::string> priority_queue;       // the same, served first
    std::size_t started = 0;

    // Under `mutex`: hands `result` to every caller waiting for `name`.
    void deliver(Name& name, const Resolution& result) {
        for (const Registered& registered : name.waiters) {
            std::lock_guard open(registered.gate->mutex);  // the io_context cannot start shutting down meanwhile
            if (!registered.gate->open) continue;
            try {
                asio::post(registered.executor, [weak = registered.waiter, result] {
                    const std::shared_ptr<Waiter> waiter = weak.lock();
                    if (!waiter || waiter->done) return;
                    waiter->done = true;
                    waiter->result = result;
                    waiter->timer.cancel();
                });
            } catch (const std::exception&) {
                // Out of memory: the caller's own deadline wakes it.
            }
        }
        name.waiters.clear();
    }

    // Under `mutex`: a name queued for a lookup.
    void enqueue(const std::string& key, Name& name, bool priority, Clock::time_point now) {
        name.in_flight = true;
        name.started = now;
        (priority ? priority_queue : queue).push_back(key);
        wake.notify_all();
    }

    // Under `mutex`: the name's entry, added if new; nullptr when the table
    // is full of names in use (a priority name always gets in).
    Name* find_or_add(const std::string& key, const std::string& host, std::uint16_t port, bool priority,
                      Clock::time_point now) {
        if (auto it = names.find(key); it != names.end()) return &it->second;
        if (names.size() >= options.max_names) prune(now);
        if (names.size() >= options.max_names && !priority) return nullptr;
        return &names.emplace(key, Name{.host = host, .port = port}).first->second;
    }

    // Under `mutex`: the answer or the failure remembered for `name`, while
    // in date. An answer close to expiry is refreshed meanwhile, so a busy
    // name never waits for DNS.
    std::optional<Resolution> remembered(const std::string& key, Name& name, bool priority, Clock::time_point now) {
        if (name.fresh_until > now) {
            const bool refresh_due = name.fresh_until - now < options.positive_ttl / 4 && name.failed_until <= now;
            if (refresh_due && !name.in_flight && (priority || queue.size() < options.max_queued)) {
                enqueue(key, name, priority, now);
            }
            return resolved(name.endpoints);
        }
        if (name.failed_until > now) {
            return failure(Resolution::Kind::RecentlyFailed,
                           name.failure + " (failed moments ago; not asked again yet)");
        }
        return std::nullopt;
    }

    // Under `mutex`: sees that a lookup of `name` is on its way, in the lane
    // the caller is due; a refusal when the ordinary lane is full.
    std::optional<Resolution> look_up_soon(const std::string& key, Name& name, bool priority, Clock::time_point now) {
        if (!name.in_flight) {
            if (!priority && queue.size() >= options.max_queued) {
                return failure(Resolution::Kind::Busy, "not resolving " + name.host + ": " +
                                                           std::to_string(queue.size()) + " lookups are waiting");
            }
            enqueue(key, name, priority, now);
        } else if (priority) {
            move_to_priority_lane(key, name, now);
        }
        return std::nullopt;
    }

    // Under `mutex`: a priority caller joining a lookup queued in the
    // ordinary lane moves it up.
    void move_to_priority_lane(const std::string& key, Name& name, Clock::time_point now) {
        const auto queued = std::find(queue.begin(), queue.end(), key);
        if (queued == queue.end()) return;
        queue.erase(queued);
        priority_queue.push_back(key);
        name.started = now;  // its wait starts now, in the lane that serves it at once
        wake.notify_all();
    }

    // Leaves the name's waiters however the resolving coroutine ends (even
    // destroyed with its io_context), so the lookup thread never posts to a
    // dead one.
    struct Registration {
        State& state;  // kept alive by the coroutine, declared before
        const std::shared_ptr<Waiter>& waiter;
        const std::string& key;
        ~Registration() {
            std::lock_guard lock(state.mutex);
            if (auto it = state.names.find(key); it != state.names.end()) {
                std::erase_if(it->second.waiters, [this](const Registered& r) { return r.id == waiter.get(); });
            }
        }
    };

    // Under `mutex`: forgets names nothing is waiting for or remembering.
    void prune(Clock::time_point now) {
        for (auto it = names.begin(); it != names.end();) {
            const Name& name = it->second;
            const bool idle = !name.in_flight && name.fresh_until <= now && name.failed_until <= now;
            it = idle ? names.erase(it) : std::next(it);
        }
    }

    void run(bool priority_only) {
        std::unique_lock lock(mutex);
        while (true) {
            wake.wait(lock, [&] { return stopping || !priority_queue.empty() || (!priority_only && !queue.empty()); });
            if (stopping) return;
            std::deque<std::string>& from = priority_queue.empty() ? queue : priority_queue;
            const std::string key = std::move(from.front());
            from.pop_front();
            auto it = names.find(key);
            if (it == names.end()) continue;
            const std::string host = it->second.host;
            const std::uint16_t port = it->second.port;
            ++started;
            lock.unlock();
            Resolution result;
            try {
                result = options.lookup ? options.lookup(host, port) : look_up(host, port);
            } catch (const std::exception& error) {
                result = failure(Resolution::Kind::Failed, "cannot resolve " + host + ": " + error.what());
            }
            lock.lock();
            it = names.find(key);  // in flight: never pruned meanwhile
            if (it == names.end()) continue;
            Name& name = it->second;
            name.in_flight = false;
            const Clock::time_point now = Clock::now();
            if (result.ok()) {
                name.endpoints = result.endpoints;
                name.fresh_until = now + options.positive_ttl;
                name.failed_until = {};
                name.failure.clear();
            } else {
                // Remembered either way (so a failing refresh is not retried
                // on every request); a failed refresh keeps the answer still in date.
                if (name.fresh_until <= now) name.endpoints.clear();
                name.failed_until = now + options.negative_ttl;
                name.failure = result.error;
            }
            deliver(name, result);
        }
    }
};

HostResolver::HostResolver(ResolverOptions options) : state_(std::make_shared<State>(options)) {
    // Detached: a thread may sit in getaddrinfo for the system resolver's
    // whole timeout, and a stopping server must not wait for it. Each holds
    // the state it uses. Two threads serve only priority names: the global
    // endpoint and the server's own region each get one even when the
    // others are all busy.
    const unsigned threads = std::max(1u, options.threads) + kPriorityThreads;
    try {
        for (unsigned i = 0; i < threads; ++i) {
            std::thread([state = state_, priority_only = i < kPriorityThreads] { state->run(priority_only); }).detach();
        }
    } catch (...) {
        stop();
        throw;
    }
}

void HostResolver::stop() noexcept {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    state_->wake.notify_all();
}

HostResolver::~HostResolver() { stop(); }

const ResolverOptions& HostResolver::options() const noexcept { return state_->options; }

std::size_t HostResolver::lookups_started() const {
    std::lock_guard lock(state_->mutex);
    return state_->started;
}

awaitable<Resolution> HostResolver::resolve(std::string host, std::uint16_t port, Clock::time_point deadline,
                                            bool priority) {
    boost::system::error_code ec;
    const auto literal = asio::ip::make_address(host, ec);
    if (!ec) co_return resolved({tcp::endpoint(literal, port)});

    // The coroutine shares the state: it may outlive this HostResolver
    // (destroyed with its io_context after the resolver is gone).
    const std::shared_ptr<State> shared = state_;
    State& state = *shared;
    const std::string key = host + ":" + std::to_string(port);
    const asio::any_io_executor executor = co_await asio::this_coro::executor;
    const std::shared_ptr<Gate::State> gate =
        asio::use_service<Gate>(asio::query(executor, asio::execution::context)).state;
    auto waiter = std::make_shared<Waiter>(executor);
    const State::Registration registration{state, waiter, key};

    Clock::time_point wait_until;
    {
        std::lock_guard lock(state.mutex);
        const Clock::time_point now = Clock::now();
        Name* name = state.find_or_add(key, host, port, priority, now);
        if (!name) co_return failure(Resolution::Kind::Busy, "not resolving " + host + ": too many names in use");
        if (auto known = state.remembered(key, *name, priority, now)) co_return std::move(*known);
        if (auto refused = state.look_up_soon(key, *name, priority, now)) co_return std::move(*refused);
        wait_until = std::min(deadline, name->started + state.options.lookup_timeout);
        if (wait_until <= now) {
            co_return failure(Resolution::Kind::TimedOut, "resolving " + host + " took too long");
        }
        name->waiters.push_back({waiter.get(), waiter, executor, gate});
    }

    waiter->timer.expires_at(wait_until);
    co_await waiter->timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (waiter->done) co_return std::move(waiter->result);
    waiter->done = true;  // a late answer is dropped
    co_return failure(Resolution::Kind::TimedOut, "resolving " + host + " took too long");
}

}  // namespace aia::net
