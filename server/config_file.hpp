#pragma once
// Reading the --config file, shared by the commands that take one.

#include <string>

#include "core/config/server_config.hpp"
#include "core/util/result.hpp"

namespace aia::cli {

// The file parsed over the defaults; errors start with the file's path.
Result<config::ParsedConfig, std::string> read_config_file(const std::string& path);

}  // namespace aia::cli
