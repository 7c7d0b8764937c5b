#pragma once
// server.dynamicBackendModePath: EKS's file that replaces the chain of
// mapping sources while the server runs (see config/backend_mode_file.hpp).
// As upstream: a file that names a new chain switches to it; one that does
// not parse, or names a chain that cannot run, changes nothing (logged and
// counted); a deleted file brings server.backendMode back. Like the mapping
// sources, a change is acted on once it reads the same twice, and a
// deletion only once the file has stayed away for kDeletionGrace.
//
// Metrics, upstream's: aws_iam_authenticator_dynamic_file_enabled and
// _dynamic_file_only (whether DynamicFile is in, or is, the chain),
// _dynamicfile_failures_total and
// _dynamic_e2e_latency_seconds{type="dynamic_backend_mode"}.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "app/logger.hpp"
#include "app/mapping_sources.hpp"
#include "app/metrics.hpp"
#include "app/settled_content.hpp"

namespace aia::app {

class BackendModeFollower {
public:
    BackendModeFollower(std::string path, std::vector<std::string> configured_chain, MappingSources& sources,
                        Logger& log, Metrics& metrics);

    // The file as it is at start (before the server listens).
    void load_initial();
    // FileFollower's check; the follower's thread.
    std::optional<std::chrono::milliseconds> check(bool forced);
    std::vector<std::string> paths() const { return {path_}; }

private:
    void apply(const std::string& content, bool initial);
    void follow_missing();
    void switch_to(const std::vector<std::string>& modes, const std::string& why);
    void report_chain();

    std::string path_;
    std::vector<std::string> configured_chain_;
    MappingSources& sources_;
    Logger& log_;
    Metrics& metrics_;
    SettledContent content_;
    std::optional<SettledContent::Clock::time_point> missing_since_;
    bool said_missing_ = false;
    std::string last_error_;  // said once per distinct cause
};

}  // namespace aia::app
