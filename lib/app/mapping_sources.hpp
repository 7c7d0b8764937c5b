#pragma once
// The mapping sources of --backend-mode, kept current while the server runs.
//
// Each source has one file (or a ConfigMap volume directory) that is read,
// parsed and built into a new MappingTable off the request path; the table is
// then swapped in atomically, so a request sees the old table or the new one,
// never a mix. A change that does not parse leaves the last good table in
// force and is logged and counted. A file that disappears empties its source
// only once it has stayed away for kDeletionGrace (editors and controllers
// delete and re-create). The FileFollower calls check() when something
// changes in the directories involved and, as a safety net, every second.
//
//   MountedFile       the config file's server.mapRoles/mapUsers/mapAccounts
//   EKSConfigMapFile  an aws-auth ConfigMap: a manifest file, or a mounted
//                     ConfigMap volume directory (files mapRoles, mapUsers,
//                     mapAccounts behind kubelet's ..data symlink)
//   DynamicFile       upstream's DynamicFile JSON
//   EKSConfigMap, CRD kept in the Kubernetes API: their watchers (see
//                     ApiMappingSources) hand each change to apply_api_content

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/logger.hpp"
#include "app/metrics.hpp"
#include "app/published.hpp"
#include "core/auth/user_mapping.hpp"
#include "core/config/server_config.hpp"
#include "core/mapping/mapping_table.hpp"

namespace aia::app {

// How long a deleted source file may stay away before its table is emptied.
inline constexpr std::chrono::seconds kDeletionGrace{2};
// A change is applied once it reads the same twice this far apart.
inline constexpr std::chrono::milliseconds kSettleTime{25};
inline constexpr int kMaxSettleRounds = 40;

struct SourceSpec {
    std::string name;  // canonical backend mode name
    std::string path;  // config file, aws-auth file or directory, DynamicFile; empty: static (no file)
    // For a source kept in the Kubernetes API, what it follows, for log lines
    // ("configmaps kube-system/aws-auth"); empty for every other source.
    std::string api_object;
    mapping::TableOptions table_options;
    std::vector<std::string> reserved_prefixes;
};

// The sources a configuration asks for, in backend-mode order.
std::vector<SourceSpec> source_specs(const config::ServerConfig& config, const std::string& config_file);

// Every source the configuration can build, server.backendMode's first: the
// chains server.dynamicBackendModePath may switch to.
std::vector<SourceSpec> available_specs(const config::ServerConfig& config, const std::string& config_file);

// Why a backend mode cannot be built with this configuration ("" when it can).
std::string unavailable_because(std::string_view mode, const config::ServerConfig& config);

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

// A source's mappings as parsed, before they are built into a table.
struct SourceContent {
    mapping::MappingConfig config;
    std::vector<std::string> warnings;  // reported as entry problems
};

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

    // The chain in force: which sources a request consults, in order. At
    // first, every source given to the constructor. A source newly in the
    // chain is loaded before the chain changes (files) or its watcher
    // started (API sources, through `start_api_source`). Sources that leave
    // keep their tables but are no longer consulted or checked. An unknown
    // name, or an API source that cannot start, leaves the chain as it was.
    // The follower's thread (or before it starts).
    Result<bool, std::string> set_chain(const std::vector<std::string>& modes);
    std::vector<std::string> chain() const;
    using ApiSourceStarter = std::function<Result<bool, std::string>(std::string_view source)>;
    void set_api_source_starter(ApiSourceStarter starter) { start_api_source_ = std::move(starter); }

    // The files (and ConfigMap volume directories) the sources follow.
    std::vector<std::string> paths() const;
    // Re-reads every file-backed source and applies settled changes; with
    // `forced`, rebuilds them once settled even if unchanged (SIGHUP).
    // Returns how soon to check again (FileFollower::Check). One thread at a time.
    std::optional<std::chrono::milliseconds> check(bool forced);

    // The sources kept in the Kubernetes API, by name, in backend-mode order.
    std::vector<std::string> api_sources() const;
    // An API source's new content, from its watcher's thread: built and
    // published, or (an error) logged and counted with the last good table
    // kept. Safe to call while check() runs on another thread.
    void apply_api_content(std::string_view source, Result<SourceContent, std::string> content);
    // An API source could not be read (the watcher logs it and retries):
    // remembered as the reason while it has never loaded.
    void api_source_failed(std::string_view source, std::string reason);

    // What a request maps with: one consistent table per source.
    std::vector<auth::SourceSnapshot> snapshot() const;

    // Sources that have never loaded, with the reason (logged when it happened):
    // while there are any, /readyz answers 503.
    std::vector<std::pair<std::string, std::string>> never_loaded() const;

private:
    struct Source;
    void check_all(bool initial);
    void check_source(Source& source, bool initial);
    // A file-backed source's new table (or why not), once its files have
    // changed and settled; nothing while unchanged, settling or missing.
    std::optional<LoadResult> load_if_settled(Source& source);
    void follow_missing(Source& source, const std::string& error);
    void report_not_loaded(Source& source, const std::string& error);
    void publish(Source& source, LoadResult result, bool initial);
    Source* find_api_source(std::string_view name);
    Source* find_source(std::string_view name);
    bool in_chain(const Source& source) const;
    void activate(Source& source);

    std::vector<std::unique_ptr<Source>> sources_;
    Published<std::vector<const Source*>> chain_;  // read by every request
    ApiSourceStarter start_api_source_;
    mapping::MappingConfig static_mappings_;
    Logger& log_;
    Metrics& metrics_;
    bool settling_ = false;   // a check saw new content and wants to see it again
    bool reloading_ = false;  // a forced check: act on unchanged content too, until settled
    int settle_rounds_ = 0;   // checks in a row that found a change settling
};

}  // namespace aia::app
