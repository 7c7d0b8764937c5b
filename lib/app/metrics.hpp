#pragma once
// The Prometheus metrics, under upstream's names so existing dashboards and
// alerts keep working:
//   aws_iam_authenticator_authenticate_latency_seconds{result}
//   aws_iam_authenticator_sts_connection_failures_total{StsRegion}
//   aws_iam_authenticator_sts_responses_total{ResponseCode,StsRegion}
//   aws_iam_authenticator_sts_throttling_total{StsRegion}
//   aws_iam_authenticator_ec2_describe_instances_calls_total
//   aws_iam_authenticator_configmap_watch_failures_total
//   aws_iam_authenticator_dynamicfile_failures_total
//   aws_iam_authenticator_dynamic_file_enabled, aws_iam_authenticator_dynamic_file_only
//   aws_iam_authenticator_dynamic_e2e_latency_seconds{type}
// and ours:
//   aws_iam_authenticator_sts_inflight_rejections_total
//   aws_iam_authenticator_sts_unknown_region_denials_total
//   aws_iam_authenticator_sts_host_rejections_total{reason}
//   aws_iam_authenticator_ec2_private_dns_cache_hits_total / _misses_total
//   aws_iam_authenticator_ec2_throttled_total
//   aws_iam_authenticator_identity_cache_hits_total / _misses_total / _shared_total
//   aws_iam_authenticator_identity_cache_evictions_total{reason}
//   aws_iam_authenticator_identity_cache_entries / _bytes
//   aws_iam_authenticator_aws_credentials_refresh_total{result}
//   aws_iam_authenticator_mapping_reload_total{source,result}
//   aws_iam_authenticator_mapping_last_success_timestamp_seconds{source}
//   aws_iam_authenticator_mapping_entries{source,kind}
//   aws_iam_authenticator_mapping_entry_problems{source}
//   aws_iam_authenticator_connections_refused_total
//   aws_iam_authenticator_connections_timed_out_total{phase}
//   aws_iam_authenticator_request_timeouts_total
//   aws_iam_authenticator_certificate_reload_total{result}
//   aws_iam_authenticator_certificate_expiry_timestamp_seconds
//   aws_iam_authenticator_build_info{version,commit}
//   process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
//   process_open_fds, process_max_fds, process_start_time_seconds (from /proc/self)
// Thread-safe; prometheus-cpp stays inside metrics.cpp.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/auth/outcome.hpp"

namespace aia::app {

class Metrics {
public:
    Metrics();
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    void observe_review(auth::Outcome outcome, double seconds);
    void sts_response(std::string_view sts_region, unsigned status);
    void sts_connection_failure(std::string_view sts_region);
    void sts_throttled(std::string_view sts_region);
    void sts_inflight_rejected();
    // A token whose STS host names a region the region policy does not admit.
    void sts_unknown_region_denied();
    // A request denied to protect the other STS hosts (see StsGate): reason
    // host_cap, shared_cap, resolve_failed or resolve_busy.
    void sts_host_rejected(std::string_view reason);
    // The regions that get their own StsRegion label ("global" always does);
    // any other is counted as "other", so token-chosen names cannot grow the
    // label set. Call before serving.
    void set_sts_regions(const std::vector<std::string>& regions);
    // One reload attempt of a mapping source; the counts when it succeeded
    // (`problems`: entries refused, see MappingTable::build).
    void mapping_reloaded(std::string_view source, bool succeeded, std::size_t roles, std::size_t users,
                          std::size_t accounts, std::size_t problems = 0);

    // EC2 lookups for {{EC2PrivateDNSName}}.
    void ec2_describe_instances_call();
    void ec2_cache_lookup(bool hit);
    void ec2_throttled();
    // The identity cache: a lookup answered from it, one that asked STS, one
    // that waited for another request's STS call for the same token.
    void identity_cache_hit();
    void identity_cache_miss();
    void identity_cache_shared();
    void identity_cache_evicted(std::size_t expired, std::size_t capacity);
    // Changes of the cache's size (entries and bytes), summed over its shards.
    void identity_cache_resized(double entries_delta, double bytes_delta);

    // A connection closed at once because server.maxConnections were open.
    void connection_refused();
    // A connection the server closed for a timeout: phase is handshake,
    // idle, headers, body or write.
    void connection_timed_out(std::string_view phase);
    // A request answered 503 because server.requestTimeout passed first.
    void request_timed_out();
    // One attempt to load a changed serving certificate; the certificate in
    // use now expires at `not_after` (Unix seconds).
    void certificate_reloaded(bool succeeded);
    void certificate_expires_at(double not_after);

    // aws_iam_authenticator_build_info{version,commit} 1.
    void set_build_info(std::string_view version, std::string_view commit);

    // One fetch of the server's own AWS credentials.
    void aws_credentials_refreshed(bool succeeded);

    // Upstream's aws_iam_authenticator_dynamic_e2e_latency_seconds{type="dynamic_file"}:
    // seconds from a DynamicFile's LastUpdatedDateTime to its reload.
    void dynamic_file_latency(double seconds);

    // Upstream's aws_iam_authenticator_configmap_watch_failures_total: a list
    // or watch of the aws-auth ConfigMap failed (ours counts every failed
    // call, upstream's only a watch that could not start).
    void configmap_watch_failure();

    // server.dynamicBackendModePath (upstream's names):
    //   _dynamic_e2e_latency_seconds{type="dynamic_backend_mode"}: from the file's timestamp to its switch;
    //   _dynamicfile_failures_total: a backend-mode file that could not be read, parsed or run;
    //   _dynamic_file_enabled / _dynamic_file_only: DynamicFile is in the chain with others / alone.
    void dynamic_backend_mode_latency(double seconds);
    void dynamic_file_failure();
    void set_dynamic_file_modes(bool enabled, bool only);

    // The text exposition format (version 0.0.4).
    std::string render() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace aia::app
