#pragma once
// Follows one collection of the Kubernetes API as client-go's reflector
// does: LIST, then WATCH from the list's resourceVersion with bookmarks;
// each event updates a local copy of the collection, which is handed to the
// owner whole after the list and after every change. A dropped stream is
// watched again from the last version seen; 410 Gone (the version was
// compacted away) lists again; failures back off exponentially with jitter.
//
// Watches are asked to end after 1-2 minutes (timeoutSeconds) and are cut
// if nothing at all arrives for longer than that, so a connection that died
// silently is noticed within about two minutes. Runs on one io_context.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/kube/api_paths.hpp"
#include "core/kube/backoff.hpp"
#include "core/util/result.hpp"
#include "net/asio.hpp"

namespace aia::app {

class KubeClient;

// The collection: object name -> object, as last seen.
using KubeObjects = std::map<std::string, nlohmann::json>;

// One LIST: the objects by name and the version a watch resumes from, or
// why not (with the HTTP status when the API answered, 0 otherwise).
struct Listed {
    KubeObjects objects;
    std::string resource_version;
};
struct ListFailure {
    std::string reason;
    unsigned status = 0;
};
net::awaitable<Result<Listed, ListFailure>> list_objects(KubeClient& client, std::string path);

struct WatchTarget {
    std::string what;       // for log lines: "configmap kube-system/aws-auth"
    std::string list_path;  // LIST
    std::function<std::string(const kube::WatchOptions&)> watch_path;
};

struct WatcherCallbacks {
    // After each successful list and after each change it made.
    std::function<void(const KubeObjects&)> on_state;
    // A list or watch failed (the watcher retries by itself): why, in words,
    // and the HTTP status when the API answered (0 otherwise).
    std::function<void(std::string_view reason, unsigned status)> on_failure;
};

struct WatcherOptions {
    // Capped at 5 s, upstream's fixed pause after a failed watch: once the
    // API is back, a change reaches the answers within about 5 s. One list
    // or watch per source every few seconds is nothing to an API server.
    kube::BackoffPolicy backoff{.initial = std::chrono::milliseconds{250}, .max = std::chrono::seconds{5}};
    std::chrono::seconds min_watch{60};  // timeoutSeconds is drawn from [min_watch, 2 * min_watch)
    std::chrono::seconds idle_grace{15};
};

class ResourceWatcher {
public:
    ResourceWatcher(KubeClient& client, WatchTarget target, WatcherCallbacks callbacks, WatcherOptions options = {});
    ~ResourceWatcher();
    ResourceWatcher(const ResourceWatcher&) = delete;
    ResourceWatcher& operator=(const ResourceWatcher&) = delete;

    // Lists and watches until the io_context stops.
    net::awaitable<void> run();

    const WatchTarget& target() const { return target_; }

private:
    struct State;
    net::awaitable<bool> list();
    net::awaitable<bool> watch();
    net::awaitable<void> pause();

    KubeClient& client_;
    WatchTarget target_;
    WatcherCallbacks callbacks_;
    WatcherOptions options_;
    std::unique_ptr<State> state_;
};

}  // namespace aia::app
