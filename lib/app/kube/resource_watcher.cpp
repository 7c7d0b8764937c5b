#include "app/kube/resource_watcher.hpp"

#include <random>

#include <boost/asio/steady_timer.hpp>

#include "app/kube/kube_client.hpp"
#include "core/kube/watch_events.hpp"

namespace aia::app {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string object_name(const nlohmann::json& object) {
    const auto metadata = object.find("metadata");
    if (metadata == object.end() || !metadata->is_object()) return {};
    const auto name = metadata->find("name");
    return name != metadata->end() && name->is_string() ? name->get<std::string>() : std::string{};
}

bool answered(const net::ClientResponse& response, unsigned status) {
    return response.kind == net::ClientResponse::Kind::Answered && response.status == status;
}

}  // namespace

struct ResourceWatcher::State {
    KubeObjects objects;
    std::string resource_version;  // where the next watch starts; "" : list first
    unsigned failures = 0;         // in a row, for the backoff
    std::mt19937_64 random{std::random_device{}()};
};

ResourceWatcher::ResourceWatcher(KubeClient& client, WatchTarget target, WatcherCallbacks callbacks,
                                 WatcherOptions options)
    : client_(client),
      target_(std::move(target)),
      callbacks_(std::move(callbacks)),
      options_(options),
      state_(std::make_unique<State>()) {}

ResourceWatcher::~ResourceWatcher() = default;

net::awaitable<void> ResourceWatcher::run() {
    for (;;) {
        const bool ok = state_->resource_version.empty() ? co_await list() : co_await watch();
        if (ok) {
            state_->failures = 0;
        } else {
            co_await pause();
        }
    }
}

net::awaitable<void> ResourceWatcher::pause() {
    std::uniform_real_distribution<double> fraction(0.0, 1.0);
    const auto delay = kube::backoff_delay(options_.backoff, state_->failures, fraction(state_->random));
    ++state_->failures;
    net::asio::steady_timer timer(co_await net::asio::this_coro::executor, delay);
    boost::system::error_code ec;
    co_await timer.async_wait(net::asio::redirect_error(net::use_awaitable, ec));
}

net::awaitable<Result<Listed, ListFailure>> list_objects(KubeClient& client, std::string path) {
    const net::ClientResponse response = co_await client.request("GET", std::move(path));
    const unsigned status = response.kind == net::ClientResponse::Kind::Answered ? response.status : 0;
    if (!answered(response, 200)) co_return fail(ListFailure{describe_answer(response), status});
    auto list = kube::parse_object_list(response.body);
    if (!list) co_return fail(ListFailure{list.error(), status});
    if (list->resource_version.empty()) co_return fail(ListFailure{"the answer has no resourceVersion", status});
    Listed listed;
    listed.resource_version = std::move(list->resource_version);
    for (nlohmann::json& item : list->items) {
        std::string name = object_name(item);
        if (!name.empty()) listed.objects.insert_or_assign(std::move(name), std::move(item));
    }
    co_return listed;
}

net::awaitable<bool> ResourceWatcher::list() {
    auto listed = co_await list_objects(client_, target_.list_path);
    if (!listed) {
        callbacks_.on_failure("list " + target_.what + ": " + listed.error().reason, listed.error().status);
        co_return false;
    }
    state_->objects = std::move(listed->objects);
    state_->resource_version = std::move(listed->resource_version);
    callbacks_.on_state(state_->objects);
    co_return true;
}

// One watch stream, to its end. True when it ended as watches do (the
// server's timeout, or a 410 that calls for a new list).
net::awaitable<bool> ResourceWatcher::watch() {
    std::uniform_int_distribution<long> seconds(options_.min_watch.count(), 2 * options_.min_watch.count() - 1);
    const int timeout = static_cast<int>(seconds(state_->random));
    const std::string path = target_.watch_path(
        {.resource_version = state_->resource_version, .allow_bookmarks = true, .timeout_seconds = timeout});

    bool relist = false;
    std::string problem;
    std::size_t lines = 0;
    const auto began = SteadyClock::now();
    State& state = *state_;
    const auto on_line = [&](std::string_view line) {
        ++lines;
        auto event = kube::parse_watch_event(line);
        if (!event) {
            problem = "a watch event that does not parse: " + event.error();
            return false;
        }
        switch (event->type) {
            case kube::EventType::Error:
                if (event->status && event->status->code == 410) {
                    relist = true;
                } else {
                    problem = "error event: " + (event->status ? std::to_string(event->status->code) + " " +
                                                                     event->status->reason + ": " +
                                                                     event->status->message
                                                               : std::string("without a status"));
                }
                return false;
            case kube::EventType::Bookmark:
                if (!event->resource_version.empty()) state.resource_version = event->resource_version;
                return true;
            case kube::EventType::Added:
            case kube::EventType::Modified:
            case kube::EventType::Deleted: {
                std::string name = object_name(event->object);
                if (name.empty()) {
                    problem = "a watch event for an object without a name";
                    return false;
                }
                if (!event->resource_version.empty()) state.resource_version = event->resource_version;
                if (event->type == kube::EventType::Deleted) {
                    state.objects.erase(name);
                } else {
                    state.objects.insert_or_assign(std::move(name), std::move(event->object));
                }
                callbacks_.on_state(state.objects);
                return true;
            }
        }
        return false;
    };
    const net::ClientResponse response = co_await client_.stream(path, on_line);
    if (relist || answered(response, 410)) {
        // Our version is gone from the server's history: start again from a list.
        state_->resource_version.clear();
        co_return true;
    }
    if (!problem.empty()) {
        state_->resource_version.clear();  // the stream cannot be trusted past here
        callbacks_.on_failure("watch " + target_.what + ": " + problem, response.status);
        co_return false;
    }
    const bool streamed = response.kind == net::ClientResponse::Kind::Answered && response.status / 100 == 2;
    // The server ended the watch: watch again from where we are -- unless it
    // ends them at once, which would have us ask again without pause.
    if (streamed && lines > 0) co_return true;
    if (streamed && SteadyClock::now() - began >= options_.min_watch / 2) co_return true;
    if (streamed) {
        callbacks_.on_failure("watch " + target_.what + ": the API ended the watch at once", response.status);
        co_return false;
    }
    callbacks_.on_failure("watch " + target_.what + ": " + describe_answer(response),
                          response.kind == net::ClientResponse::Kind::Answered ? response.status : 0);
    co_return false;
}

}  // namespace aia::app
