#pragma once
// Upstream's DynamicFile: mappings as JSON, rewritten by an external
// controller while the server runs.
//
//   {"Version": "1", "LastUpdatedDateTime": "1700000000",
//    "mapRoles": [{"rolearn": "...", "username": "...", "groups": [...], "userid": "AROA..."}],
//    "mapUsers": [{"userarn": "...", ...}],
//    "mapAccounts": ["111122223333"]}
//
// With dynamicfileUserIDStrict, entries are keyed by "userid" (the STS
// unique ID) and every entry must have one; otherwise by ARN. As upstream, an
// entry missing its key refuses the whole file.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mapping/mapping_config.hpp"
#include "core/util/result.hpp"

namespace aia::mapping {

struct DynamicFileContent {
    MappingConfig config;
    std::string version;                  // "Version", for the log
    std::optional<long long> updated_at;  // "LastUpdatedDateTime" (Unix seconds), for the end-to-end latency metric
    std::vector<std::string> warnings;
};

Result<DynamicFileContent, std::string> parse_dynamic_file(std::string_view json_text, bool user_id_strict);

}  // namespace aia::mapping
