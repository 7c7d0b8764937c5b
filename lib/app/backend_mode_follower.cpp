#include "app/backend_mode_follower.hpp"

#include <algorithm>
#include <thread>

#include "app/file_reading.hpp"
#include "core/config/backend_mode_file.hpp"
#include "core/crypto/sha256.hpp"
#include "core/util/quote.hpp"

namespace aia::app {
namespace {

using Clock = SettledContent::Clock;

std::string joined(const std::vector<std::string>& modes) {
    std::string out;
    for (const std::string& mode : modes) out += (out.empty() ? "" : " ") + mode;
    return out;
}

long long unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

BackendModeFollower::BackendModeFollower(std::string path, std::vector<std::string> configured_chain,
                                         MappingSources& sources, Logger& log, Metrics& metrics)
    : path_(std::move(path)),
      configured_chain_(std::move(configured_chain)),
      sources_(sources),
      log_(log),
      metrics_(metrics),
      content_(kSettleTime) {}

void BackendModeFollower::load_initial() {
    for (int round = 0; round < kMaxSettleRounds; ++round) {
        if (!check(false)) break;
        std::this_thread::sleep_for(kSettleTime);
    }
    report_chain();
}

std::optional<std::chrono::milliseconds> BackendModeFollower::check(bool forced) {
    auto content = read_file(path_, kMaxSmallFileBytes);
    if (!content && content.error().kind == FileError::Kind::Missing) {
        follow_missing();
        return std::nullopt;
    }
    missing_since_.reset();
    said_missing_ = false;
    const std::string state =
        content ? crypto::to_hex(crypto::sha256(*content)) : "error: " + content.error().message;
    const bool initial = !content_.acted_on_any();
    switch (content_.observe(state, Clock::now(), forced)) {
        case SettledContent::Verdict::Unchanged:
            return std::nullopt;
        case SettledContent::Verdict::Settling:
            return kSettleTime;
        case SettledContent::Verdict::Settled:
            break;
    }
    if (!content) {
        metrics_.dynamic_file_failure();
        log_.error("backend-mode file cannot be read; the chain in force stays",
                   {{"file", path_}, {"error", content.error().message}, {"backendMode", joined(sources_.chain())}});
        return std::nullopt;
    }
    apply(*content, initial);
    return std::nullopt;
}

void BackendModeFollower::apply(const std::string& content, bool initial) {
    auto file = config::parse_backend_mode_file(content);
    if (!file) {
        metrics_.dynamic_file_failure();
        log_.error("backend-mode file did not load; the chain in force stays",
                   {{"file", path_}, {"error", file.error()}, {"backendMode", joined(sources_.chain())}});
        return;
    }
    for (const std::string& warning : file->warnings)
        log_.warn("backend-mode file", {{"file", path_}, {"problem", warning}});
    if (file->modes != sources_.chain()) {
        switch_to(file->modes, "backend-mode file changed");
    } else {
        log_.info("backend-mode file read; the chain is unchanged",
                  {{"file", path_}, {"backendMode", joined(file->modes)}, {"Version", file->version}});
    }
    // As upstream, the first load after start is not a change someone waited for.
    if (!initial && file->updated_at && unix_now() >= *file->updated_at) {
        metrics_.dynamic_backend_mode_latency(static_cast<double>(unix_now() - *file->updated_at));
    }
    report_chain();
}

// Keeps the chain through a delete-and-re-create; back to server.backendMode
// once the file has stayed away.
void BackendModeFollower::follow_missing() {
    if (!content_.acted_on_any()) {
        if (!said_missing_) {
            log_.info("no backend-mode file; server.backendMode is the chain",
                      {{"file", path_}, {"backendMode", joined(sources_.chain())}});
        }
        said_missing_ = true;
        return;
    }
    if (!missing_since_) missing_since_ = Clock::now();
    if (Clock::now() - *missing_since_ < kDeletionGrace) return;
    content_.forget();
    said_missing_ = true;
    if (sources_.chain() != configured_chain_) switch_to(configured_chain_, "backend-mode file deleted");
    report_chain();
}

void BackendModeFollower::switch_to(const std::vector<std::string>& modes, const std::string& why) {
    const std::string before = joined(sources_.chain());
    if (auto switched = sources_.set_chain(modes); !switched) {
        metrics_.dynamic_file_failure();
        log_.error("cannot switch to the backend modes the file names; the chain in force stays",
                   {{"file", path_}, {"error", switched.error()}, {"backendMode", before}});
        return;
    }
    log_.info("switched backend modes", {{"file", path_}, {"reason", why}, {"from", before}, {"to", joined(modes)}});
}

void BackendModeFollower::report_chain() {
    const std::vector<std::string> chain = sources_.chain();
    const bool only = chain == std::vector<std::string>{std::string(config::kModeDynamicFile)};
    const bool enabled = std::find(chain.begin(), chain.end(), config::kModeDynamicFile) != chain.end();
    metrics_.set_dynamic_file_modes(enabled && !only, only);
}

}  // namespace aia::app
