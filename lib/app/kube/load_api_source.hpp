#pragma once
// `explain`'s view of a source kept in the Kubernetes API: its objects
// listed once and read as the server's watcher reads them.

#include "app/mapping_sources.hpp"
#include "core/config/server_config.hpp"

namespace aia::app {

// Blocks for at most the client's request timeout; failures are in .error.
LoadResult load_api_source(const config::ServerConfig& config, const SourceSpec& spec);

}  // namespace aia::app
