#pragma once
// EKS's backend-mode file (server.dynamicBackendModePath): JSON that
// replaces the chain of mapping sources while the server runs.
//
//   {"backendMode": "MountedFile DynamicFile", "Version": "3", "LastUpdatedDateTime": "1700000000"}
//
// As upstream: keys match in any letter case (Go's encoding/json), the
// modes are one string split on single spaces, and each must be a backend
// mode's name (aliases included). Unlike upstream, a mode listed twice is
// refused rather than run twice.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.hpp"

namespace aia::config {

struct BackendModeFile {
    std::vector<std::string> modes;       // canonical names, in order
    std::string version;                  // "Version", for the log
    std::optional<long long> updated_at;  // "LastUpdatedDateTime" (Unix seconds), for the latency metric
    std::vector<std::string> warnings;    // e.g. a LastUpdatedDateTime that is not a number
};

Result<BackendModeFile, std::string> parse_backend_mode_file(std::string_view json_text);

}  // namespace aia::config
