#pragma once
// Files written whole or not at all.

#include <sys/types.h>

#include <string>

#include "core/util/result.hpp"

namespace aia::app {

// Writes to a new temporary file, then renames it over `path`: readers never
// see half a file, and a crash leaves the old one. The temporary is created
// exclusively with its final permissions (no window in which another user
// could open a key file) and never through a symlink; data and directory are
// synced so a power loss cannot leave an empty file behind.
// The directory is created if missing (with the umask's permissions).
Result<bool, std::string> write_atomically(const std::string& path, const std::string& content, mode_t mode);

}  // namespace aia::app
