#pragma once
// The mapping sources of --backend-mode, kept current while the server runs.
//
// Each source has one file (or a ConfigMap volume directory) that is read,
// parsed and built into a new MappingTable off the request path; the table is
// then swapped in atomically, so a request sees the old table or the new one,
// never a mix. A change that does not parse leaves the last good table in
// force and is logged and counted. A file that disappears empties its source
// only once it has stayed away for kDeletionGrace (editors and controllers
// delete and re-create). Changes are noticed through inotify on the
// directories involved and, as a safety net, by re-reading every second.
//
//   MountedFile       the config file's server.mapRoles/mapUsers/mapAccounts
//   EKSConfigMapFile  an aws-auth ConfigMap: a manifest file, or a mounted
//                     ConfigMap volume directory (files mapRoles, mapUsers,
//                     mapAccounts behind kubelet's ..data symlink)
//   DynamicFile       upstream's DynamicFile JSON

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/file_watcher.hpp"
#include "app/logger.hpp"
#include "app/metrics.hpp"
#include "core/auth/user_mapping.hpp"
#include "core/config/server_config.hpp"
#include "core/mapping/mapping_table.hpp"

namespace aia::app {

// How long a deleted source file may stay away before its table is emptied.
inline constexpr std::chrono::seconds kDeletionGrace{2};
// The safety-net re-read interval.
inline constexpr std::chrono::seconds kRecheckInterval{1};
// A change is applied once it reads the same twice this far apart.
inline constexpr std::chrono::milliseconds kSettleTime{25};
inline constexpr int kMaxSettleRounds = 40;

struct SourceSpec {
    std::string name;  // canonical backend mode name
    std::string path;  // config file, aws-auth file or directory, DynamicFile; empty: static (no file)
    mapping::TableOptions table_options;
    std::vector<std::string> reserved_prefixes;
};

// The sources a configuration asks for, in backend-mode order.
std::vector<SourceSpec> source_specs(const config::ServerConfig& config, const std::string& config_file);

// Reads and parses one source's files into a table, once: what the reloader
// does on every change, and what `explain` does for each source.
struct LoadResult {
    std::shared_ptr<const mapping::MappingTable> table;  // nullptr when the source could not be loaded
    std::string error;                                   // why not ("file not found", "line 3: ...")
    std::vector<std::string> problems;                   // refused entries and warnings
    bool missing = false;                                // the file (or directory) does not exist
    std::optional<long long> updated_at;                 // a DynamicFile's LastUpdatedDateTime
};
LoadResult load_source(const SourceSpec& spec, const mapping::MappingConfig* static_mappings = nullptr);

class MappingSources {
public:
    // `static_mappings` feeds a MountedFile source that has no config file.
    MappingSources(std::vector<SourceSpec> specs, mapping::MappingConfig static_mappings, Logger& log,
                   Metrics& metrics);
    ~MappingSources();
    MappingSources(const MappingSources&) = delete;
    MappingSources& operator=(const MappingSources&) = delete;

    // Loads every source once, synchronously (before the server listens).
    void load_all();
    // Re-reads every source now (what the watcher thread does on a change).
    void check_all();

    // Starts and stops the background reloader.
    void start();
    void stop();
    // Makes the reloader re-read and rebuild every file-backed source now,
    // changed or not (SIGHUP). Thread-safe; returns at once.
    void reload_now();

    // What a request maps with: one consistent table per source.
    std::vector<auth::SourceSnapshot> snapshot() const;

    // Sources that have never loaded, with the reason: /healthz reports them.
    std::vector<std::pair<std::string, std::string>> never_loaded() const;

private:
    struct Source;
    void check(Source& source, bool initial);
    void check_until_settled(bool initial);

    std::vector<std::unique_ptr<Source>> sources_;
    mapping::MappingConfig static_mappings_;
    Logger& log_;
    Metrics& metrics_;
    std::unique_ptr<FileWatcher> watcher_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> reload_requested_{false};
    bool settling_ = false;   // a check saw new content once and wants to see it again
    bool reloading_ = false;  // reload_now(): act on unchanged content too
};

}  // namespace aia::app
