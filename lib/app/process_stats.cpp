#include "app/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace aia::app {
namespace {

// Boot time (Unix seconds) from /proc/stat's btime line.
std::optional<double> boot_time() {
    std::ifstream in("/proc/stat");
    std::string key;
    double value = 0;
    while (in >> key) {
        if (key == "btime" && in >> value) return value;
        in.ignore(1 << 20, '\n');
    }
    return std::nullopt;
}

}  // namespace

std::optional<ProcessStats> read_process_stats() {
    std::ifstream stat_file("/proc/self/stat");
    std::string line;
    if (!std::getline(stat_file, line)) return std::nullopt;
    // The command name (field 2) may hold spaces and parentheses: fields
    // are counted from the last ')'.
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(line.substr(close + 1));
    std::vector<std::string> fields;  // fields[0] is field 3 (state)
    for (std::string field; rest >> field;) fields.push_back(field);
    if (fields.size() < 22) return std::nullopt;

    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    ProcessStats stats;
    try {
        stats.cpu_seconds = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;  // utime, stime
        stats.virtual_bytes = std::stod(fields[20]);                                  // vsize
        stats.resident_bytes = std::stod(fields[21]) * page;                          // rss, in pages
        static const std::optional<double> boot = boot_time();                        // fixed until reboot: read once
        if (boot) stats.start_time_seconds = *boot + std::stod(fields[19]) / ticks;
    } catch (const std::exception&) {
        return std::nullopt;
    }
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        ++stats.open_fds;
    }
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) stats.max_fds = static_cast<double>(limit.rlim_cur);
    return stats;
}

}  // namespace aia::app
