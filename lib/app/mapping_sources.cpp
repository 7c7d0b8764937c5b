#include "app/mapping_sources.hpp"

#include "app/file_reading.hpp"
#include "app/published.hpp"
#include "app/settled_content.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "core/crypto/sha256.hpp"
#include "core/mapping/aws_auth.hpp"
#include "core/mapping/dynamic_file.hpp"
#include "core/util/quote.hpp"

namespace aia::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::array<const char*, 3> kConfigMapKeys = {"mapRoles", "mapUsers", "mapAccounts"};

struct Inputs {
    bool missing = false;
    std::string error;                         // I/O problems
    std::map<std::string, std::string> files;  // name -> content
    std::string fingerprint;
};

// Files over 8 MiB are refused: a mapping table is a few hundred KiB at most.
std::optional<std::string> read_source_file(const fs::path& path, std::string& error) {
    auto content = read_file(path.string(), kMaxConfigFileBytes);
    if (!content) {
        error = std::move(content).error().message;
        return std::nullopt;
    }
    return std::move(content).value();
}

Inputs read_inputs(const SourceSpec& spec) {
    Inputs inputs;
    std::error_code ec;
    fs::path path(spec.path);
    if (!fs::exists(path, ec)) {
        inputs.missing = true;
        inputs.error = spec.path + " does not exist";
        return inputs;
    }
    if (spec.name == config::kModeConfigMapFile && fs::is_directory(path, ec)) {
        // A ConfigMap volume: kubelet publishes each version in its own
        // directory and swaps the "..data" symlink to it. Resolve it once,
        // so all keys come from the same version.
        if (const fs::path data = path / "..data"; fs::is_symlink(data, ec)) {
            const fs::path version = fs::canonical(data, ec);
            if (!ec) path = version;
        }
        for (const char* key : kConfigMapKeys) {
            const fs::path file = path / key;
            if (!fs::exists(file, ec)) continue;
            auto content = read_source_file(file, inputs.error);
            if (!content) return inputs;
            inputs.files[key] = std::move(*content);
        }
    } else {
        auto content = read_source_file(path, inputs.error);
        if (!content) return inputs;
        // An empty file is a write caught between truncate and write far
        // more often than an intended empty table (write "{}" or "[]").
        if (content->find_first_not_of(" \t\r\n") == std::string::npos) {
            inputs.error = spec.path + " is empty";
            return inputs;
        }
        inputs.files[""] = std::move(*content);
    }
    std::string all;
    for (const auto& [name, content] : inputs.files)
        all += name + '\0' + std::to_string(content.size()) + '\0' + content;
    inputs.fingerprint = crypto::to_hex(crypto::sha256(all));
    return inputs;
}

struct Parsed {
    mapping::MappingConfig config;
    std::vector<std::string> warnings;
    std::optional<long long> updated_at;
};

Result<Parsed, std::string> parse_inputs(const SourceSpec& spec, const Inputs& inputs) {
    Parsed parsed;
    if (spec.name == config::kModeDynamicFile) {
        auto content = mapping::parse_dynamic_file(inputs.files.at(""), spec.table_options.user_id_strict);
        if (!content) return fail(std::move(content).error());
        parsed.config = std::move(content->config);
        parsed.warnings = std::move(content->warnings);
        parsed.updated_at = content->updated_at;
        return parsed;
    }
    if (spec.name == config::kModeConfigMapFile) {
        std::map<std::string, std::string> data;
        if (inputs.files.contains("")) {
            auto manifest = mapping::parse_config_map_manifest(inputs.files.at(""));
            if (!manifest) return fail(manifest.error().where + ": " + manifest.error().what);
            data = std::move(manifest).value();
        } else {
            data = inputs.files;
        }
        auto content = mapping::parse_aws_auth_data(data);
        if (!content) return fail(content.error().where + ": " + content.error().what);
        parsed.config = std::move(content->config);
        parsed.warnings = std::move(content->warnings);
        return parsed;
    }
    // MountedFile: only the mapping keys of the config file are reloaded.
    auto config = config::parse_server_config(inputs.files.at(""));
    if (!config) return fail(std::move(config).error());
    parsed.config = std::move(config->config.mappings);
    return parsed;
}

}  // namespace

std::vector<SourceSpec> source_specs(const config::ServerConfig& config, const std::string& config_file) {
    std::vector<SourceSpec> specs;
    for (const std::string& mode : config.backend_mode) {
        SourceSpec spec;
        spec.name = std::string(config::backend_mode_name(mode));
        spec.table_options.partition = config.partition;
        spec.table_options.sso_enabled = config.sso_role_match;
        if (spec.name == config::kModeMountedFile) spec.path = config_file;
        if (spec.name == config::kModeConfigMapFile) spec.path = config.aws_auth_path;
        if (spec.name == config::kModeDynamicFile) {
            spec.path = config.dynamic_file_path;
            spec.table_options.user_id_strict = config.dynamic_file_user_id_strict;
        }
        if (spec.name == config::kModeConfigMap) spec.api_object = "configmaps kube-system/aws-auth";
        if (spec.name == config::kModeCRD) spec.api_object = "iamidentitymappings.iamauthenticator.k8s.aws";
        if (const auto it = config.reserved_prefixes.find(spec.name); it != config.reserved_prefixes.end()) {
            spec.reserved_prefixes = it->second;
        }
        specs.push_back(std::move(spec));
    }
    return specs;
}

std::string unavailable_because(std::string_view mode, const config::ServerConfig& config) {
    const std::string_view name = config::backend_mode_name(mode);
    if (name.empty()) return "no backend has this name";
    if (name == config::kModeConfigMapFile && config.aws_auth_path.empty()) return "server.awsAuthPath is not set";
    if (name == config::kModeDynamicFile && config.dynamic_file_path.empty()) return "server.dynamicfilepath is not set";
    return {};
}

std::vector<SourceSpec> available_specs(const config::ServerConfig& config, const std::string& config_file) {
    config::ServerConfig every = config;
    for (std::string_view mode : {config::kModeMountedFile, config::kModeConfigMapFile, config::kModeDynamicFile,
                                  config::kModeConfigMap, config::kModeCRD}) {
        const bool listed = std::any_of(every.backend_mode.begin(), every.backend_mode.end(),
                                        [&](const std::string& m) { return config::backend_mode_name(m) == mode; });
        if (!listed && unavailable_because(mode, config).empty()) every.backend_mode.emplace_back(mode);
    }
    return source_specs(every, config_file);
}

namespace {

// Where a source's content comes from, for log lines.
LogField origin(const SourceSpec& spec) {
    if (!spec.api_object.empty()) return {"object", spec.api_object};
    return {"file", spec.path};
}

LoadResult build_table(const SourceSpec& spec, mapping::MappingConfig config, std::vector<std::string> problems,
                       std::optional<long long> updated_at = std::nullopt) {
    LoadResult result;
    result.updated_at = updated_at;
    result.problems = std::move(problems);
    result.table = std::make_shared<const mapping::MappingTable>(
        mapping::MappingTable::build(std::move(config), spec.table_options, result.problems));
    return result;
}

LoadResult load_inputs(const SourceSpec& spec, const Inputs& inputs) {
    LoadResult result;
    if (inputs.missing || !inputs.error.empty()) {
        result.missing = inputs.missing;
        result.error = inputs.error;
        return result;
    }
    auto parsed = parse_inputs(spec, inputs);
    if (!parsed) {
        result.error = std::move(parsed).error();
        return result;
    }
    return build_table(spec, std::move(parsed->config), std::move(parsed->warnings), parsed->updated_at);
}

}  // namespace

LoadResult load_source(const SourceSpec& spec, const mapping::MappingConfig* static_mappings) {
    if (!spec.api_object.empty()) {
        LoadResult result;
        result.error = spec.api_object + " is read from the Kubernetes API while the server runs";
        return result;
    }
    if (spec.path.empty()) return build_table(spec, static_mappings ? *static_mappings : mapping::MappingConfig{}, {});
    return load_inputs(spec, read_inputs(spec));
}

struct MappingSources::Source {
    SourceSpec spec;
    Published<mapping::MappingTable> table;

    // The checking thread only.
    SettledContent content{kSettleTime};  // the inputs last acted on
    std::optional<Clock::time_point> missing_since;

    // Shared with /healthz.
    mutable std::mutex status_mutex;
    bool ever_loaded = false;
    std::string last_error;
};

MappingSources::MappingSources(std::vector<SourceSpec> specs, mapping::MappingConfig static_mappings, Logger& log,
                               Metrics& metrics)
    : static_mappings_(std::move(static_mappings)), log_(log), metrics_(metrics) {
    for (SourceSpec& spec : specs) {
        auto source = std::make_unique<Source>();
        source->spec = std::move(spec);
        sources_.push_back(std::move(source));
    }
    std::vector<const Source*> all;
    for (const auto& source : sources_) all.push_back(source.get());
    chain_.store(std::make_shared<const std::vector<const Source*>>(std::move(all)));
}

MappingSources::Source* MappingSources::find_source(std::string_view name) {
    for (auto& source : sources_) {
        if (source->spec.name == name) return source.get();
    }
    return nullptr;
}

bool MappingSources::in_chain(const Source& source) const {
    const auto chain = chain_.load();
    return std::find(chain->begin(), chain->end(), &source) != chain->end();
}

std::vector<std::string> MappingSources::chain() const {
    std::vector<std::string> names;
    for (const Source* source : *chain_.load()) names.push_back(source->spec.name);
    return names;
}

Result<bool, std::string> MappingSources::set_chain(const std::vector<std::string>& modes) {
    std::vector<Source*> next;
    for (const std::string& mode : modes) {
        Source* source = find_source(config::backend_mode_name(mode));
        if (source == nullptr) return fail("backend-mode " + quote(mode) + " cannot run with this configuration");
        if (std::find(next.begin(), next.end(), source) == next.end()) next.push_back(source);
    }
    if (next.empty()) return fail(std::string("no backend mode given"));
    for (Source* source : next) {
        if (source->spec.api_object.empty() || in_chain(*source)) continue;
        if (!start_api_source_) return fail("backend-mode " + quote(source->spec.name) + " cannot run here");
        if (auto started = start_api_source_(source->spec.name); !started)
            return fail("backend-mode " + quote(source->spec.name) + " creation failed: " + started.error());
    }
    for (Source* source : next) {
        if (!in_chain(*source) && source->spec.api_object.empty()) activate(*source);
    }
    chain_.store(std::make_shared<const std::vector<const Source*>>(next.begin(), next.end()));
    return true;
}

// A file-backed source joining the chain: its current files, loaded now.
void MappingSources::activate(Source& source) {
    for (int round = 0; round < kMaxSettleRounds; ++round) {
        settling_ = false;
        check_source(source, true);
        if (!settling_) return;
        std::this_thread::sleep_for(kSettleTime);
    }
}

MappingSources::~MappingSources() = default;

std::vector<std::string> MappingSources::paths() const {
    std::vector<std::string> paths;
    for (const auto& source : sources_) {
        if (!source->spec.path.empty()) paths.push_back(source->spec.path);
    }
    return paths;
}

void MappingSources::load_all() {
    // A change is acted on when it reads the same twice, kSettleTime apart.
    for (int round = 0; round < kMaxSettleRounds; ++round) {
        check_all(true);
        if (!settling_) return;
        std::this_thread::sleep_for(kSettleTime);
    }
}

std::optional<std::chrono::milliseconds> MappingSources::check(bool forced) {
    reloading_ = reloading_ || forced;
    check_all(false);
    // Settling rounds come kSettleTime apart, at most kMaxSettleRounds in a row.
    if (settling_ && ++settle_rounds_ < kMaxSettleRounds) return kSettleTime;
    settle_rounds_ = 0;
    reloading_ = false;
    return std::nullopt;
}

void MappingSources::check_all(bool initial) {
    settling_ = false;
    for (auto& source : sources_) {
        if (in_chain(*source)) check_source(*source, initial);
    }
}

void MappingSources::check_source(Source& source, bool initial) {
    if (!source.spec.api_object.empty()) return;  // its watcher pushes changes
    std::optional<LoadResult> result;
    if (source.spec.path.empty()) {
        if (!initial) return;  // static: loaded once
        result = load_source(source.spec, &static_mappings_);
    } else {
        result = load_if_settled(source);
        if (!result) return;
    }
    if (!result->table) {
        report_not_loaded(source, result->error);
        return;
    }
    publish(source, std::move(*result), initial);
}

std::optional<LoadResult> MappingSources::load_if_settled(Source& source) {
    const Inputs inputs = read_inputs(source.spec);
    if (inputs.missing) {
        follow_missing(source, inputs.error);
        return std::nullopt;
    }
    source.missing_since.reset();
    // Act once per distinct content (or distinct read error), so a broken
    // file is reported once, not every second; and only on content read
    // twice in a row kSettleTime apart, so a write caught half-way is not
    // taken for the file (unless the writer stalls: rename over instead).
    const std::string state = inputs.error.empty() ? inputs.fingerprint : "error: " + inputs.error;
    switch (source.content.observe(state, Clock::now(), reloading_)) {
        case SettledContent::Verdict::Unchanged:
            return std::nullopt;
        case SettledContent::Verdict::Settling:
            settling_ = true;
            return std::nullopt;
        case SettledContent::Verdict::Settled:
            break;
    }
    return load_inputs(source.spec, inputs);
}

// Keeps the table through a delete-and-re-create; empties it once the file
// has stayed away.
void MappingSources::follow_missing(Source& source, const std::string& error) {
    const bool loaded = source.table.load() != nullptr;
    if (!source.missing_since) source.missing_since = Clock::now();
    if (loaded && source.content.acted_on_any() && Clock::now() - *source.missing_since >= kDeletionGrace) {
        std::vector<std::string> none;
        source.table.store(std::make_shared<const mapping::MappingTable>(
            mapping::MappingTable::build({}, source.spec.table_options, none)));
        source.content.forget();
        metrics_.mapping_reloaded(source.spec.name, true, 0, 0, 0);
        log_.warn("mapping source file is gone; its table is now empty",
                  {{"source", source.spec.name}, {"file", source.spec.path}});
    }
    if (!loaded) {
        std::lock_guard lock(source.status_mutex);
        // Said once per cause: the file is checked every second until it appears.
        if (source.last_error != error) {
            log_.warn("mapping source not loaded yet; waiting for its file (/readyz answers 503 until then)",
                      {{"source", source.spec.name}, {"file", source.spec.path}, {"reason", error}});
        }
        source.last_error = error;
    }
}

void MappingSources::report_not_loaded(Source& source, const std::string& error) {
    metrics_.mapping_reloaded(source.spec.name, false, 0, 0, 0);
    log_.error("mapping source did not load; the last good table stays in force",
               {{"source", source.spec.name}, origin(source.spec), {"reason", error}});
    std::lock_guard lock(source.status_mutex);
    source.last_error = error;
}

std::vector<std::string> MappingSources::api_sources() const {
    std::vector<std::string> names;
    for (const auto& source : sources_) {
        if (!source->spec.api_object.empty()) names.push_back(source->spec.name);
    }
    return names;
}

MappingSources::Source* MappingSources::find_api_source(std::string_view name) {
    for (auto& source : sources_) {
        if (source->spec.name == name && !source->spec.api_object.empty()) return source.get();
    }
    return nullptr;
}

void MappingSources::apply_api_content(std::string_view name, Result<SourceContent, std::string> content) {
    Source* source = find_api_source(name);
    if (source == nullptr) return;
    if (!content) {
        report_not_loaded(*source, content.error());
        return;
    }
    bool initial = false;
    {
        std::lock_guard lock(source->status_mutex);
        initial = !source->ever_loaded;
    }
    publish(*source, build_table(source->spec, std::move(content->config), std::move(content->warnings)), initial);
}

void MappingSources::api_source_failed(std::string_view name, std::string reason) {
    Source* source = find_api_source(name);
    if (source == nullptr) return;
    std::lock_guard lock(source->status_mutex);
    source->last_error = std::move(reason);
}

namespace {

// Upstream's end-to-end latency: from the writer's timestamp to now.
void record_dynamic_file_latency(Metrics& metrics, long long updated_at) {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (now >= updated_at) metrics.dynamic_file_latency(static_cast<double>(now - updated_at));
}

}  // namespace

void MappingSources::publish(Source& source, LoadResult result, bool initial) {
    const std::string& name = source.spec.name;
    for (const std::string& problem : result.problems) {
        log_.warn("mapping entry problem", {{"source", name}, origin(source.spec), {"problem", problem}});
    }
    const mapping::MappingTable& table = *result.table;
    source.table.store(result.table);
    if (!initial && result.updated_at) record_dynamic_file_latency(metrics_, *result.updated_at);
    metrics_.mapping_reloaded(name, true, table.role_count(), table.user_count(), table.account_count(),
                              result.problems.size());
    log_.info(initial ? "mapping source loaded" : "mapping source reloaded",
              {{"source", name},
               origin(source.spec),
               {"roles", std::to_string(table.role_count())},
               {"users", std::to_string(table.user_count())},
               {"accounts", std::to_string(table.account_count())},
               {"problems", std::to_string(result.problems.size())}});
    std::lock_guard lock(source.status_mutex);
    source.ever_loaded = true;
    source.last_error.clear();
}

std::vector<auth::SourceSnapshot> MappingSources::snapshot() const {
    std::vector<auth::SourceSnapshot> snapshot;
    const auto chain = chain_.load();  // sources live as long as this object: the views stay valid
    snapshot.reserve(chain->size());
    for (const Source* source : *chain) {
        snapshot.push_back(
            {source->spec.name, source->table.load(), source->spec.reserved_prefixes});  // views into spec
    }
    return snapshot;
}

std::vector<std::pair<std::string, std::string>> MappingSources::never_loaded() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const Source* source : *chain_.load()) {
        std::lock_guard lock(source->status_mutex);
        if (!source->ever_loaded) out.emplace_back(source->spec.name, source->last_error);
    }
    return out;
}

}  // namespace aia::app
