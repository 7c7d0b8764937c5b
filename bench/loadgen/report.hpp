#pragma once
// loadgen's results: a table for people, JSON for scripts (bench/RESULTS.md
// is generated from the JSON).

#include <string>

#include "load_runner.hpp"

namespace aia::bench {

struct RunDescription {
    unsigned connections = 0;
    unsigned idle_connections = 0;
    double rate = 0;  // 0: closed loop
    double invalid_ratio = 0;
};

std::string render_table(const RunDescription& run, const LoadStats& stats);
std::string render_json(const RunDescription& run, const LoadStats& stats);

}  // namespace aia::bench
