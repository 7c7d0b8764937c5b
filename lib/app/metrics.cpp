#include "app/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "app/process_stats.hpp"

#include <array>
#include <mutex>
#include <set>
#include <unordered_map>

namespace aia::app {
namespace {

constexpr std::array kOutcomes = {auth::Outcome::Success,  auth::Outcome::MalformedRequest, auth::Outcome::InvalidToken,
                                  auth::Outcome::StsError, auth::Outcome::StsThrottling,    auth::Outcome::UnknownUser};

constexpr bool outcomes_in_enum_order() {
    for (std::size_t i = 0; i < kOutcomes.size(); ++i) {
        if (static_cast<std::size_t>(kOutcomes[i]) != i) return false;
    }
    return true;
}
static_assert(outcomes_in_enum_order(), "latency_by_outcome is indexed by Outcome");

// The StsRegion label of anything outside the admitted regions.
constexpr std::string_view kOtherRegion = "other";

// One family's series met per request, by their label values. Family::Add
// builds a whole new series (and the labels' map) before it looks for an
// existing one: per request, the series made the first time is found here.
class CounterSeries {
public:
    explicit CounterSeries(prometheus::Family<prometheus::Counter>& family) : family_(family) {}

    // `key` joins the label values; `labels` makes the series the first time.
    template <class MakeLabels>
    prometheus::Counter& get(std::string key, MakeLabels labels) {
        std::lock_guard lock(mutex_);
        auto [series, first] = by_key_.try_emplace(std::move(key), nullptr);
        if (first) {
            try {
                series->second = &family_.Add(labels());
            } catch (...) {
                by_key_.erase(series);
                throw;
            }
        }
        return *series->second;
    }

private:
    prometheus::Family<prometheus::Counter>& family_;
    std::mutex mutex_;
    std::unordered_map<std::string, prometheus::Counter*> by_key_;
};

}  // namespace

struct Metrics::Impl {
    std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

    // Families are registered once, by name and help text; a family without
    // labels is used through its one series.
    prometheus::Family<prometheus::Counter>& counter_family(const char* name, const char* help) {
        return prometheus::BuildCounter().Name(name).Help(help).Register(*registry);
    }
    prometheus::Family<prometheus::Gauge>& gauge_family(const char* name, const char* help) {
        return prometheus::BuildGauge().Name(name).Help(help).Register(*registry);
    }
    prometheus::Family<prometheus::Histogram>& histogram_family(const char* name, const char* help) {
        return prometheus::BuildHistogram().Name(name).Help(help).Register(*registry);
    }
    prometheus::Counter& counter(const char* name, const char* help) { return counter_family(name, help).Add({}); }
    prometheus::Gauge& gauge(const char* name, const char* help) { return gauge_family(name, help).Add({}); }

    prometheus::Family<prometheus::Histogram>& latency =
        histogram_family("aws_iam_authenticator_authenticate_latency_seconds", "Authenticate call latency");
    prometheus::Family<prometheus::Counter>& connection_failures =
        counter_family("aws_iam_authenticator_sts_connection_failures_total", "STS connection failures");
    prometheus::Family<prometheus::Counter>& responses =
        counter_family("aws_iam_authenticator_sts_responses_total", "STS responses");
    prometheus::Family<prometheus::Counter>& throttling =
        counter_family("aws_iam_authenticator_sts_throttling_total", "STS throttled requests");
    prometheus::Counter& sts_inflight_rejections =
        counter("aws_iam_authenticator_sts_inflight_rejections_total",
                "Requests denied without asking STS because server.maxInflightSTSRequests calls were out");
    prometheus::Counter& sts_unknown_region_denials =
        counter("aws_iam_authenticator_sts_unknown_region_denials_total",
                "Tokens denied before any I/O because their STS host names a region neither this build nor "
                "server.region / server.stsRegions admits");
    prometheus::Family<prometheus::Counter>& sts_host_rejections = counter_family(
        "aws_iam_authenticator_sts_host_rejections_total",
        "Requests denied without asking STS to protect other hosts: reason host_cap (the host's share of "
        "STS slots is in use), shared_cap (the slots for hosts other than the global endpoint and the "
        "server's own region are in use), resolve_failed (the host failed to resolve moments ago), "
        "resolve_busy (too many lookups waiting)");
    prometheus::Counter& ec2_calls =
        counter("aws_iam_authenticator_ec2_describe_instances_calls_total", "Number of EC2 DescribeInstances calls");
    prometheus::Counter& ec2_cache_hits = counter("aws_iam_authenticator_ec2_private_dns_cache_hits_total",
                                                  "EC2 private DNS name lookups answered from the cache");
    prometheus::Counter& ec2_cache_misses = counter("aws_iam_authenticator_ec2_private_dns_cache_misses_total",
                                                    "EC2 private DNS name lookups that needed EC2");
    prometheus::Counter& ec2_throttled = counter("aws_iam_authenticator_ec2_throttled_total",
                                                 "EC2 DescribeInstances calls refused with RequestLimitExceeded");
    prometheus::Counter& identity_cache_hits =
        counter("aws_iam_authenticator_identity_cache_hits_total",
                "Token reviews answered from the identity cache without asking STS");
    prometheus::Counter& identity_cache_misses =
        counter("aws_iam_authenticator_identity_cache_misses_total",
                "Token reviews that asked STS because the identity cache had no answer");
    prometheus::Counter& identity_cache_shared =
        counter("aws_iam_authenticator_identity_cache_shared_total",
                "Token reviews that waited for another review's STS call for the same token");
    prometheus::Family<prometheus::Counter>& identity_cache_evictions =
        counter_family("aws_iam_authenticator_identity_cache_evictions_total",
                       "Identity cache entries dropped, by reason (expired, capacity)");
    prometheus::Counter& identity_cache_expired = identity_cache_evictions.Add({{"reason", "expired"}});
    prometheus::Counter& identity_cache_capacity = identity_cache_evictions.Add({{"reason", "capacity"}});
    prometheus::Gauge& identity_cache_entries =
        gauge("aws_iam_authenticator_identity_cache_entries", "Answers held by the identity cache");
    prometheus::Gauge& identity_cache_bytes =
        gauge("aws_iam_authenticator_identity_cache_bytes",
              "Memory held by the identity cache's answers, as it counts it against server.identityCacheMaxBytes");
    prometheus::Family<prometheus::Counter>& credential_refreshes =
        counter_family("aws_iam_authenticator_aws_credentials_refresh_total",
                       "Fetches of the server's own AWS credentials, by result (success, failure)");
    prometheus::Family<prometheus::Gauge>& mapping_entry_problems = gauge_family(
        "aws_iam_authenticator_mapping_entry_problems",
        "Entries of the table in force that were refused (logged as \"mapping entry problem\"), by source");
    prometheus::Family<prometheus::Gauge>& mapping_entries = gauge_family(
        "aws_iam_authenticator_mapping_entries", "Entries in each mapping source's current table, by kind");
    prometheus::Family<prometheus::Counter>& mapping_reloads = counter_family(
        "aws_iam_authenticator_mapping_reload_total", "Mapping source loads, by result (success, failure)");
    prometheus::Family<prometheus::Gauge>& mapping_last_success =
        gauge_family("aws_iam_authenticator_mapping_last_success_timestamp_seconds",
                     "When each mapping source last loaded successfully (Unix time)");

    prometheus::Counter& connections_refused =
        counter("aws_iam_authenticator_connections_refused_total",
                "Connections closed at once because server.maxConnections connections were open");
    prometheus::Family<prometheus::Counter>& connection_timeouts =
        counter_family("aws_iam_authenticator_connections_timed_out_total",
                       "Connections the server closed for a timeout, by phase (handshake, idle, headers, body, write)");
    prometheus::Counter& request_timeouts =
        counter("aws_iam_authenticator_request_timeouts_total",
                "Requests answered 503 because server.requestTimeout passed before the answer was ready");
    prometheus::Family<prometheus::Counter>& certificate_reloads =
        counter_family("aws_iam_authenticator_certificate_reload_total",
                       "Loads of a changed serving certificate and key, by result (success, failure)");
    prometheus::Gauge& certificate_expiry = gauge("aws_iam_authenticator_certificate_expiry_timestamp_seconds",
                                                  "When the serving certificate in use expires (Unix time)");

    prometheus::Counter& configmap_watch_failures =
        counter("aws_iam_authenticator_configmap_watch_failures_total", "EKS Configmap watch failures");

    prometheus::Family<prometheus::Histogram>& e2e_latency = histogram_family(
        "aws_iam_authenticator_dynamic_e2e_latency_seconds", "End to end latency in seconds partitioned by type.");
    prometheus::Histogram& dynamic_file_latency = e2e_latency.Add(
        {{"type", "dynamic_file"}}, prometheus::Histogram::BucketBoundaries{1, 3, 5, 10, 15, 20, 30, 60});
    prometheus::Histogram& dynamic_backend_mode_latency = e2e_latency.Add(
        {{"type", "dynamic_backend_mode"}}, prometheus::Histogram::BucketBoundaries{1, 3, 5, 10, 15, 20, 30, 60});
    prometheus::Counter& dynamic_file_failures =
        counter("aws_iam_authenticator_dynamicfile_failures_total", "Dynamic file failures");
    prometheus::Gauge& dynamic_file_enabled =
        gauge("aws_iam_authenticator_dynamic_file_enabled", "Dynamic file in backend mode is enabled");
    prometheus::Gauge& dynamic_file_only =
        gauge("aws_iam_authenticator_dynamic_file_only", "Only dynamic file in backend mode is enabled");

    // One histogram per outcome, created up front: Family::Add takes a lock.
    std::array<prometheus::Histogram*, kOutcomes.size()> latency_by_outcome{};

    // Written once before serving (set_sts_regions), then only read.
    std::mutex regions_mutex;
    std::set<std::string, std::less<>> regions{"global"};

    std::string region_label(std::string_view region) {
        std::lock_guard lock(regions_mutex);
        return std::string(regions.contains(region) ? region : kOtherRegion);
    }

    CounterSeries sts_responses{responses};
    CounterSeries sts_failures{connection_failures};
    CounterSeries sts_throttling{throttling};

    Impl() {
        // Prometheus' default buckets, as upstream's client library uses.
        const prometheus::Histogram::BucketBoundaries buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                                 0.5,   1,    2.5,   5,    10};
        for (std::size_t i = 0; i < kOutcomes.size(); ++i) {
            latency_by_outcome[i] = &latency.Add({{"result", std::string(auth::metric_label(kOutcomes[i]))}}, buckets);
        }
    }
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::observe_review(auth::Outcome outcome, double seconds) {
    impl_->latency_by_outcome[static_cast<std::size_t>(outcome)]->Observe(seconds);
}

void Metrics::sts_response(std::string_view sts_region, unsigned status) {
    std::string region = impl_->region_label(sts_region);
    std::string code = std::to_string(status);
    impl_->sts_responses
        .get(region + " " + code,
             [&] {
                 return prometheus::Labels{{"ResponseCode", code}, {"StsRegion", region}};
             })
        .Increment();
}

void Metrics::sts_connection_failure(std::string_view sts_region) {
    std::string region = impl_->region_label(sts_region);
    impl_->sts_failures.get(region, [&] { return prometheus::Labels{{"StsRegion", region}}; }).Increment();
}

void Metrics::connection_refused() { impl_->connections_refused.Increment(); }

void Metrics::connection_timed_out(std::string_view phase) {
    impl_->connection_timeouts.Add({{"phase", std::string(phase)}}).Increment();
}

void Metrics::request_timed_out() { impl_->request_timeouts.Increment(); }

void Metrics::certificate_reloaded(bool succeeded) {
    impl_->certificate_reloads.Add({{"result", succeeded ? "success" : "failure"}}).Increment();
}

void Metrics::certificate_expires_at(double not_after) { impl_->certificate_expiry.Set(not_after); }

void Metrics::sts_inflight_rejected() { impl_->sts_inflight_rejections.Increment(); }

void Metrics::sts_unknown_region_denied() { impl_->sts_unknown_region_denials.Increment(); }

void Metrics::sts_host_rejected(std::string_view reason) {
    impl_->sts_host_rejections.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::set_sts_regions(const std::vector<std::string>& regions) {
    std::lock_guard lock(impl_->regions_mutex);
    impl_->regions = {"global"};
    impl_->regions.insert(regions.begin(), regions.end());
}

void Metrics::sts_throttled(std::string_view sts_region) {
    std::string region = impl_->region_label(sts_region);
    impl_->sts_throttling.get(region, [&] { return prometheus::Labels{{"StsRegion", region}}; }).Increment();
}

void Metrics::mapping_reloaded(std::string_view source, bool succeeded, std::size_t roles, std::size_t users,
                               std::size_t accounts, std::size_t problems) {
    const std::string name(source);
    impl_->mapping_reloads.Add({{"source", name}, {"result", succeeded ? "success" : "failure"}}).Increment();
    if (!succeeded) return;
    impl_->mapping_last_success.Add({{"source", name}}).SetToCurrentTime();
    impl_->mapping_entries.Add({{"source", name}, {"kind", "role"}}).Set(static_cast<double>(roles));
    impl_->mapping_entries.Add({{"source", name}, {"kind", "user"}}).Set(static_cast<double>(users));
    impl_->mapping_entries.Add({{"source", name}, {"kind", "account"}}).Set(static_cast<double>(accounts));
    impl_->mapping_entry_problems.Add({{"source", name}}).Set(static_cast<double>(problems));
}

void Metrics::ec2_describe_instances_call() { impl_->ec2_calls.Increment(); }

void Metrics::ec2_cache_lookup(bool hit) { (hit ? impl_->ec2_cache_hits : impl_->ec2_cache_misses).Increment(); }

void Metrics::ec2_throttled() { impl_->ec2_throttled.Increment(); }

void Metrics::identity_cache_hit() { impl_->identity_cache_hits.Increment(); }
void Metrics::identity_cache_miss() { impl_->identity_cache_misses.Increment(); }
void Metrics::identity_cache_shared() { impl_->identity_cache_shared.Increment(); }

void Metrics::identity_cache_evicted(std::size_t expired, std::size_t capacity) {
    if (expired > 0) impl_->identity_cache_expired.Increment(static_cast<double>(expired));
    if (capacity > 0) impl_->identity_cache_capacity.Increment(static_cast<double>(capacity));
}

void Metrics::identity_cache_resized(double entries_delta, double bytes_delta) {
    if (entries_delta != 0) impl_->identity_cache_entries.Increment(entries_delta);
    if (bytes_delta != 0) impl_->identity_cache_bytes.Increment(bytes_delta);
}

void Metrics::aws_credentials_refreshed(bool succeeded) {
    impl_->credential_refreshes.Add({{"result", succeeded ? "success" : "failure"}}).Increment();
}

void Metrics::dynamic_file_latency(double seconds) { impl_->dynamic_file_latency.Observe(seconds); }

void Metrics::configmap_watch_failure() { impl_->configmap_watch_failures.Increment(); }

void Metrics::dynamic_backend_mode_latency(double seconds) { impl_->dynamic_backend_mode_latency.Observe(seconds); }

void Metrics::dynamic_file_failure() { impl_->dynamic_file_failures.Increment(); }

void Metrics::set_dynamic_file_modes(bool enabled, bool only) {
    impl_->dynamic_file_enabled.Set(enabled ? 1 : 0);
    impl_->dynamic_file_only.Set(only ? 1 : 0);
}

void Metrics::set_build_info(std::string_view version, std::string_view commit) {
    impl_->gauge_family("aws_iam_authenticator_build_info", "Always 1; the labels say which build is running")
        .Add({{"version", std::string(version)}, {"commit", std::string(commit)}})
        .Set(1);
}

namespace {

prometheus::MetricFamily process_family(std::string name, std::string help, prometheus::MetricType type, double value) {
    prometheus::ClientMetric metric;
    if (type == prometheus::MetricType::Counter)
        metric.counter.value = value;
    else
        metric.gauge.value = value;
    return {std::move(name), std::move(help), type, {metric}};
}

}  // namespace

std::string Metrics::render() const {
    using prometheus::MetricType;
    struct ProcessMetric {
        const char* name;
        const char* help;
        MetricType type;
        double ProcessStats::*value;
    };
    // The names and help texts Prometheus client libraries use.
    static constexpr ProcessMetric kProcessMetrics[] = {
        {"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType::Counter,
         &ProcessStats::cpu_seconds},
        {"process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
         &ProcessStats::resident_bytes},
        {"process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
         &ProcessStats::virtual_bytes},
        {"process_open_fds", "Number of open file descriptors.", MetricType::Gauge, &ProcessStats::open_fds},
        {"process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge, &ProcessStats::max_fds},
        {"process_start_time_seconds", "Start time of the process since unix epoch in seconds.", MetricType::Gauge,
         &ProcessStats::start_time_seconds},
    };

    std::vector<prometheus::MetricFamily> families = impl_->registry->Collect();
    if (const auto process = read_process_stats()) {
        for (const ProcessMetric& metric : kProcessMetrics) {
            families.push_back(process_family(metric.name, metric.help, metric.type, (*process).*metric.value));
        }
    }
    return prometheus::TextSerializer().Serialize(families);
}

}  // namespace aia::app
