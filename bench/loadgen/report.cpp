#include "report.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace aia::bench {
namespace {

double ms(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

std::string format(const char* pattern, auto... values) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, pattern, values...);
    return buffer;
}

double throughput(const LoadStats& stats) {
    return stats.seconds > 0 ? static_cast<double>(stats.completed()) / stats.seconds : 0.0;
}

}  // namespace

std::string render_table(const RunDescription& run, const LoadStats& stats) {
    const LatencyHistogram& latency = stats.latency;
    std::string out;
    out += format("%u connections%s, %s, %.1f s measured\n", run.connections,
                  run.idle_connections ? format(" (+%u idle)", run.idle_connections).c_str() : "",
                  run.rate > 0 ? format("open loop at %.0f/s", run.rate).c_str() : "closed loop", stats.seconds);
    out += format("  requests       %10llu   %.1f/s\n", static_cast<unsigned long long>(stats.completed()),
                  throughput(stats));
    out += format("  authenticated  %10llu\n", static_cast<unsigned long long>(stats.authenticated));
    if (run.invalid_ratio > 0) {
        out += format("  invalid sent   %10llu   (%.0f%% asked)\n", static_cast<unsigned long long>(stats.invalid_sent),
                      run.invalid_ratio * 100);
    }
    std::string statuses;
    for (const auto& [status, count] : stats.statuses) {
        statuses += format("%s%u: %llu", statuses.empty() ? "" : ", ", status, static_cast<unsigned long long>(count));
    }
    out += "  statuses       " + (statuses.empty() ? std::string("none") : statuses) + "\n";
    std::string errors;
    for (const auto& [kind, count] : stats.errors) {
        errors +=
            format("%s%s: %llu", errors.empty() ? "" : ", ", kind.c_str(), static_cast<unsigned long long>(count));
    }
    out += "  errors         " + (errors.empty() ? std::string("none") : errors) + "\n";
    out += format("  latency ms     p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  mean %.2f\n",
                  ms(latency.percentile(0.50)), ms(latency.percentile(0.90)), ms(latency.percentile(0.99)),
                  ms(latency.percentile(0.999)), ms(latency.max()), latency.mean() / 1000.0);
    out += format("  connections    %llu opened\n", static_cast<unsigned long long>(stats.connections_opened));
    return out;
}

std::string render_json(const RunDescription& run, const LoadStats& stats) {
    const LatencyHistogram& latency = stats.latency;
    nlohmann::ordered_json out;
    out["connections"] = run.connections;
    out["idle_connections"] = run.idle_connections;
    out["mode"] = run.rate > 0 ? "open" : "closed";
    out["target_rate"] = run.rate;
    out["invalid_ratio"] = run.invalid_ratio;
    out["seconds"] = stats.seconds;
    out["requests"] = stats.completed();
    out["throughput"] = throughput(stats);
    out["authenticated"] = stats.authenticated;
    out["invalid_sent"] = stats.invalid_sent;
    nlohmann::ordered_json statuses = nlohmann::ordered_json::object();
    for (const auto& [status, count] : stats.statuses) statuses[std::to_string(status)] = count;
    out["statuses"] = statuses;
    nlohmann::ordered_json errors = nlohmann::ordered_json::object();
    for (const auto& [kind, count] : stats.errors) errors[kind] = count;
    out["errors"] = errors;
    out["latency_ms"] = {{"p50", ms(latency.percentile(0.50))},
                         {"p90", ms(latency.percentile(0.90))},
                         {"p99", ms(latency.percentile(0.99))},
                         {"p99_9", ms(latency.percentile(0.999))},
                         {"max", ms(latency.max())},
                         {"mean", latency.mean() / 1000.0}};
    out["connections_opened"] = stats.connections_opened;
    // Every non-empty bucket as [lowest µs, highest µs, count], in order:
    // the whole distribution, for bench/bench.py's histogram figures.
    nlohmann::ordered_json buckets = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < LatencyHistogram::bucket_count(); ++i) {
        if (latency.count_at(i) == 0) continue;
        buckets.push_back(
            {LatencyHistogram::lower_bound_of(i), LatencyHistogram::upper_bound_of(i), latency.count_at(i)});
    }
    out["latency_buckets_us"] = buckets;
    return out.dump(2);
}

}  // namespace aia::bench
