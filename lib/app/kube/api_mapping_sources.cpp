#include "app/kube/api_mapping_sources.hpp"

#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "app/kube/api_source_content.hpp"
#include "app/kube/kube_client.hpp"
#include "app/kube/resource_watcher.hpp"
#include "core/kube/api_paths.hpp"
#include "core/kube/aws_auth_object.hpp"
#include "core/kube/iam_identity_mapping.hpp"

namespace aia::app {
namespace {

std::string aws_auth_object_name() {
    return std::string(kube::kAwsAuthNamespace) + "/" + std::string(kube::kAwsAuthName);
}

// What the service account lacks, said once with the refusal.
std::string permission_hint(std::string_view source) {
    if (source == config::kModeConfigMap)
        return "the server's account needs get, list and watch on the aws-auth ConfigMap in kube-system";
    return "the server's account needs get, list and watch on iamidentitymappings.iamauthenticator.k8s.aws";
}

}  // namespace

struct ApiMappingSources::Impl {
    MappingSources& sources;
    Logger& log;
    Metrics& metrics;

    // Destroyed in reverse: the watchers and the client before the
    // io_context (whose sockets they hold), after the thread has stopped.
    std::thread thread;
    net::asio::io_context io{1};
    net::asio::executor_work_guard<net::asio::io_context::executor_type> guard = net::asio::make_work_guard(io);
    std::unique_ptr<KubeClient> client;
    std::vector<std::unique_ptr<ResourceWatcher>> watchers;

    // EKSConfigMap: whether aws-auth existed at the last change.
    bool aws_auth_present = false;
    // CRD: status writes in flight or done, by "name@resourceVersion".
    std::set<std::string> status_written;

    Impl(MappingSources& s, Logger& l, Metrics& m) : sources(s), log(l), metrics(m) {}

    void watch_aws_auth();
    void watch_identity_mappings();
    void aws_auth_changed(const KubeObjects& objects);
    void identity_mappings_changed(const KubeObjects& objects);
    void write_missing_statuses(const KubeObjects& objects);
    net::awaitable<void> write_canonical_arn(nlohmann::json object, std::string canonical_arn);
    WatcherCallbacks callbacks(std::string source, std::function<void(const KubeObjects&)> on_state);
    void run(ResourceWatcher& watcher);

    std::mutex followed_mutex;
    std::set<std::string, std::less<>> followed;  // sources follow() was called for
};

WatcherCallbacks ApiMappingSources::Impl::callbacks(std::string source,
                                                    std::function<void(const KubeObjects&)> on_state) {
    return {.on_state = std::move(on_state),
            .on_failure = [this, source](std::string_view reason, unsigned status) {
                if (source == config::kModeConfigMap) metrics.configmap_watch_failure();
                std::vector<LogField> fields = {{"source", source}, {"error", std::string(reason)}};
                if (status == 401 || status == 403) fields.emplace_back("hint", permission_hint(source));
                log.log(LogLevel::Error, "cannot read a mapping source from the Kubernetes API; retrying", fields);
                sources.api_source_failed(source, std::string(reason));
            }};
}

void ApiMappingSources::Impl::watch_aws_auth() {
    WatchTarget target{
        .what = "configmap " + aws_auth_object_name(),
        .list_path = kube::config_map_list_path(kube::kAwsAuthNamespace, kube::kAwsAuthName),
        .watch_path =
            [](const kube::WatchOptions& options) {
                return kube::config_map_watch_path(kube::kAwsAuthNamespace, kube::kAwsAuthName, options);
            },
    };
    watchers.push_back(std::make_unique<ResourceWatcher>(
        *client, std::move(target),
        callbacks(std::string(config::kModeConfigMap), [this](const KubeObjects& objects) { aws_auth_changed(objects); })));
}

void ApiMappingSources::Impl::aws_auth_changed(const KubeObjects& objects) {
    const std::string source(config::kModeConfigMap);
    bool present = false;
    auto content = aws_auth_content(objects, present);
    if (!present) {
        // As upstream: no aws-auth, no mappings from it.
        log.warn(aws_auth_present ? "the aws-auth ConfigMap was deleted; its mappings are now empty"
                                  : "there is no aws-auth ConfigMap; no mappings from it until one is created",
                 {{"source", source}, {"object", aws_auth_object_name()}});
    }
    aws_auth_present = present;
    sources.apply_api_content(source, std::move(content));
}

void ApiMappingSources::Impl::watch_identity_mappings() {
    WatchTarget target{
        .what = std::string(kube::kIdentityMappingPlural) + "." + std::string(kube::kIdentityMappingGroup),
        .list_path = kube::identity_mapping_list_path(),
        .watch_path = [](const kube::WatchOptions& options) { return kube::identity_mapping_watch_path(options); },
    };
    watchers.push_back(std::make_unique<ResourceWatcher>(
        *client, std::move(target), callbacks(std::string(config::kModeCRD), [this](const KubeObjects& objects) {
            identity_mappings_changed(objects);
        })));
}

void ApiMappingSources::Impl::identity_mappings_changed(const KubeObjects& objects) {
    write_missing_statuses(objects);
    sources.apply_api_content(std::string(config::kModeCRD), identity_mapping_content(objects));
}

// The controller's part: status.canonicalARN follows spec.arn.
void ApiMappingSources::Impl::write_missing_statuses(const KubeObjects& objects) {
    for (const auto& [name, object] : objects) {
        auto mapping = kube::parse_identity_mapping(object);
        if (!mapping || mapping->arn.empty()) continue;
        const std::string key = name + "@" + mapping->resource_version;
        auto canonical = kube::status_canonical_arn(mapping->arn);
        if (!canonical) {
            if (status_written.insert(key).second) {
                log.warn("cannot canonicalize an IAMIdentityMapping's spec.arn; it maps nobody",
                         {{"source", std::string(config::kModeCRD)}, {"name", name}, {"error", canonical.error()}});
            }
        } else if (*canonical != mapping->canonical_arn && status_written.insert(key).second) {
            net::asio::co_spawn(io, write_canonical_arn(object, *canonical), net::asio::detached);
        }
    }
    // Forget versions that are gone, so the set stays the size of the collection.
    std::erase_if(status_written, [&](const std::string& key) {
        return !objects.contains(key.substr(0, key.rfind('@')));
    });
}

// UpdateStatus, as upstream's controller: the whole object with its
// resourceVersion, so a concurrent change makes this a 409 and the event
// for that change brings us back here.
net::awaitable<void> ApiMappingSources::Impl::write_canonical_arn(nlohmann::json object, std::string canonical_arn) {
    const std::string name = object["metadata"].value("name", "");
    object["status"]["canonicalARN"] = canonical_arn;
    const net::ClientResponse response =
        co_await client->request("PUT", kube::identity_mapping_status_path(name), object.dump());
    if (response.kind == net::ClientResponse::Kind::Answered && response.status == 200) {
        log.info("wrote an IAMIdentityMapping's status.canonicalARN",
                 {{"source", std::string(config::kModeCRD)}, {"name", name}, {"canonicalARN", canonical_arn}});
        co_return;
    }
    if (response.kind == net::ClientResponse::Kind::Answered && response.status == 409) co_return;  // changed meanwhile
    std::vector<LogField> fields = {
        {"source", std::string(config::kModeCRD)}, {"name", name}, {"error", describe_answer(response)}};
    if (response.status == 403)
        fields.emplace_back("hint", "the server's account needs update on iamidentitymappings/status");
    log.log(LogLevel::Error, "cannot write an IAMIdentityMapping's status.canonicalARN; it maps nobody until then",
            fields);
    // Try again on the object's next change or the next list.
    status_written.erase(name + "@" + object["metadata"].value("resourceVersion", ""));
}

ApiMappingSources::ApiMappingSources(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ApiMappingSources::~ApiMappingSources() {
    impl_->guard.reset();
    impl_->io.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

Result<std::unique_ptr<ApiMappingSources>, std::string> ApiMappingSources::create(kube::ClientConfig config,
                                                                                 MappingSources& sources,
                                                                                 Logger& log, Metrics& metrics) {
    auto impl = std::make_unique<Impl>(sources, log, metrics);
    KubeClientOptions options;
    const WatcherOptions watcher_defaults;
    // A watch ends by itself within 2 * min_watch; silence for longer means the connection died.
    options.watch.idle_timeout = 2 * watcher_defaults.min_watch + watcher_defaults.idle_grace;
    auto client = KubeClient::create(impl->io, std::move(config), options);
    if (!client) return fail(client.error());
    impl->client = std::move(client).value();
    impl->log.info("reading mapping sources from the Kubernetes API", {{"api", impl->client->describe()}});
    Impl& running = *impl;
    impl->thread = std::thread([&running] { running.io.run(); });
    return std::unique_ptr<ApiMappingSources>(new ApiMappingSources(std::move(impl)));
}

Result<bool, std::string> ApiMappingSources::follow(std::string_view source) {
    if (source != config::kModeConfigMap && source != config::kModeCRD)
        return fail(std::string(source) + " is not kept in the Kubernetes API");
    {
        std::lock_guard lock(impl_->followed_mutex);
        if (!impl_->followed.emplace(source).second) return true;
    }
    Impl& impl = *impl_;
    net::asio::post(impl.io, [&impl, name = std::string(source)] {
        if (name == config::kModeConfigMap) impl.watch_aws_auth();
        if (name == config::kModeCRD) impl.watch_identity_mappings();
        impl.run(*impl.watchers.back());
    });
    return true;
}

// run() loops until the io_context stops; an exception ends it, and is said.
void ApiMappingSources::Impl::run(ResourceWatcher& watcher) {
    net::asio::co_spawn(io, watcher.run(), [this, what = watcher.target().what](std::exception_ptr error) {
        if (!error) return;
        std::string why = "unknown exception";
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            why = e.what();
        } catch (...) {
        }
        log.error("a Kubernetes API watch stopped; its source is no longer followed", {{"object", what}, {"error", why}});
    });
}

}  // namespace aia::app
