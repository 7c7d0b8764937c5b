#pragma once
// This process's resource use, read from /proc/self, for the standard
// process_* metrics that Prometheus client libraries export (and upstream's
// Go collector did): dashboards and alerts watch memory and descriptors.

#include <optional>

namespace aia::app {

struct ProcessStats {
    double cpu_seconds = 0;  // user + system
    double resident_bytes = 0;
    double virtual_bytes = 0;
    double open_fds = 0;
    double max_fds = 0;             // the soft RLIMIT_NOFILE
    double start_time_seconds = 0;  // Unix time
};

// Nothing when /proc cannot be read (then the metrics are left out).
std::optional<ProcessStats> read_process_stats();

}  // namespace aia::app
