// The file follower: one thread that runs each subscriber's check when its
// files' directories change, when it asked to be checked again, on the poll,
// and forced on reload_now(); and the mapping sources followed through it.

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/file_follower.hpp"
#include "app/logger.hpp"
#include "app/mapping_sources.hpp"
#include "app/metrics.hpp"
#include "core/config/server_config.hpp"
#include "support/captured_log.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using aia::app::FileFollower;
using aia::test::TempDir;

namespace {

constexpr auto kNever = 60s;       // a poll interval no test waits for
constexpr auto kPatience = 5s;     // the bound on every wait for a check
constexpr auto kQuietTime = 50ms;  // how long "no check happened" is watched

// Records a subscriber's checks (called on the follower's thread).
class Checks {
public:
    explicit Checks(std::optional<std::chrono::milliseconds> again = std::nullopt) : again_(again) {}

    FileFollower::Check check() {
        return [this](bool forced) {
            std::lock_guard lock(mutex_);
            forced_.push_back(forced);
            changed_.notify_all();
            return std::exchange(again_, std::nullopt);
        };
    }
    // Waits (bounded) for at least `count` checks in all.
    bool reach(std::size_t count, std::chrono::milliseconds within = kPatience) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, within, [&] { return forced_.size() >= count; });
    }
    std::vector<bool> forced() {
        std::lock_guard lock(mutex_);
        return forced_;
    }
    std::size_t count() { return forced().size(); }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<bool> forced_;
    std::optional<std::chrono::milliseconds> again_;  // what the first check returns
};

// Waits (bounded) until `condition` holds.
bool eventually(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

using aia::test::CapturedLog;

// Replaces `name` in `dir` whole, as editors and rotation tools do.
void rename_over(const TempDir& dir, const std::string& name, const std::string& content) {
    dir.write(name + ".new", content);
    fs::rename(dir.path / (name + ".new"), dir.path / name);
}

}  // namespace

TEST_CASE("file follower: a change next to a followed file runs its check, not the poll", "[follow]") {
    TempDir dir;
    const std::string file = dir.write("cert.pem", "v1");
    Checks checks;
    FileFollower follower(kNever);
    follower.follow({file}, checks.check());
    follower.start();
    rename_over(dir, "cert.pem", "v2");
    REQUIRE(checks.reach(1));
    CHECK(checks.forced().front() == false);
}

TEST_CASE("file follower: only the subscribers whose directories changed are checked", "[follow]") {
    TempDir quiet_dir, busy_dir;
    Checks quiet, busy;
    FileFollower follower(kNever);
    // Followed first: were it checked by mistake, it would be before `busy`.
    follower.follow({quiet_dir.write("a.yaml", "a")}, quiet.check());
    follower.follow({busy_dir.write("b.yaml", "b")}, busy.check());
    follower.start();
    busy_dir.write("b.yaml", "b2");
    REQUIRE(busy.reach(1));
    CHECK(quiet.count() == 0);
}

TEST_CASE("file follower: a followed directory sees kubelet's ..data symlink swap", "[follow]") {
    TempDir volume;
    fs::create_directory(volume.path / "..v1");
    volume.write("..v1/mapUsers", "v1");
    fs::create_directory_symlink("..v1", volume.path / "..data");
    fs::create_symlink("..data/mapUsers", volume.path / "mapUsers");
    Checks checks;
    FileFollower follower(kNever);
    follower.follow({volume.str()}, checks.check());
    follower.start();

    fs::create_directory(volume.path / "..v2");
    volume.write("..v2/mapUsers", "v2");
    fs::create_directory_symlink("..v2", volume.path / "..data_tmp");
    fs::rename(volume.path / "..data_tmp", volume.path / "..data");
    REQUIRE(checks.reach(1));
}

TEST_CASE("file follower: reload_now runs every check at once, forced", "[follow]") {
    TempDir first_dir, second_dir;
    Checks first, second;
    FileFollower follower(kNever);
    follower.follow({first_dir.write("a", "a")}, first.check());
    follower.follow({second_dir.write("b", "b")}, second.check());
    follower.start();
    follower.reload_now();
    REQUIRE(first.reach(1));
    REQUIRE(second.reach(1));
    CHECK(first.forced() == std::vector<bool>{true});
    CHECK(second.forced() == std::vector<bool>{true});
}

TEST_CASE("file follower: a reload asked for before start runs once it starts", "[follow]") {
    TempDir dir;
    Checks checks;
    FileFollower follower(kNever);
    follower.follow({dir.write("a", "a")}, checks.check());
    follower.reload_now();
    follower.start();
    REQUIRE(checks.reach(1));
    CHECK(checks.forced() == std::vector<bool>{true});
}

TEST_CASE("file follower: a check that asks to be checked again soon is, unforced", "[follow]") {
    TempDir dir;
    Checks checks(20ms);  // the first check: "settling, look again in 20 ms"
    FileFollower follower(kNever);
    follower.follow({dir.write("a", "a")}, checks.check());
    follower.start();
    follower.reload_now();
    REQUIRE(checks.reach(2));
    CHECK(checks.forced() == std::vector<bool>{true, false});
}

TEST_CASE("file follower: the poll checks files whose change no watch saw", "[follow]") {
    TempDir dir;
    // The directory does not exist yet: nothing can be watched at first.
    const std::string file = (dir.path / "later" / "mapping.json").string();
    Checks checks;
    FileFollower follower(20ms);
    follower.follow({file}, checks.check());
    follower.start();
    REQUIRE(checks.reach(2));
    CHECK(checks.forced() == std::vector<bool>(checks.forced().size(), false));
}

TEST_CASE("file follower: no change, no check before the poll", "[follow]") {
    TempDir dir;
    Checks checks;
    FileFollower follower(kNever);
    follower.follow({dir.write("a", "a")}, checks.check());
    follower.start();
    CHECK_FALSE(checks.reach(1, kQuietTime));
}

TEST_CASE("file follower: stop returns at once, long before the next poll", "[follow]") {
    TempDir dir;
    Checks checks;
    FileFollower follower(kNever);
    follower.follow({dir.write("a", "a")}, checks.check());
    follower.start();
    const auto started = std::chrono::steady_clock::now();
    follower.stop();
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    // Changes after stop() run no check.
    dir.write("a", "b");
    CHECK_FALSE(checks.reach(1, kQuietTime));
}

TEST_CASE("file follower: a mapping source follows a rename over its file, and keeps the last good table", "[follow]") {
    TempDir dir;
    const std::string file = dir.write("mapping.json", R"({"mapUsers": []})");
    CapturedLog captured;
    aia::app::Logger log{aia::app::LogFormat::Text, "info", captured.fd};
    aia::app::Metrics metrics;
    aia::app::MappingSources sources(
        {aia::app::SourceSpec{.name = std::string(aia::config::kModeDynamicFile), .path = file}}, {}, log, metrics);
    sources.load_all();
    const auto users = [&] { return sources.snapshot().front().table->user_count(); };
    REQUIRE(users() == 0);

    FileFollower follower(kNever);
    follower.follow(sources.paths(), [&](bool forced) { return sources.check(forced); });
    follower.start();
    rename_over(dir, "mapping.json",
                R"({"mapUsers": [{"userarn": "arn:aws:iam::111122223333:user/bob", "username": "bob"}]})");
    REQUIRE(eventually([&] { return users() == 1; }));

    rename_over(dir, "mapping.json", "{not json");
    REQUIRE(eventually([&] { return captured.text().find("mapping source did not load") != std::string::npos; }));
    CHECK(users() == 1);
    follower.stop();
}
