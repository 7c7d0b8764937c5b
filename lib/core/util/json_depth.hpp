#pragma once
// A cheap pre-parse guard for untrusted JSON.
//
// nlohmann::json builds (and destroys) nested values recursively; a body of
// 64 KiB of '[' is enough to exhaust a stack. Counting brackets outside
// strings first keeps such input away from the parser.

#include <string_view>

namespace aia::json_depth {

// True when no object or array in `json` nests deeper than `max_depth`.
// Does not validate the JSON otherwise.
bool within(std::string_view json, int max_depth) noexcept;

}  // namespace aia::json_depth
