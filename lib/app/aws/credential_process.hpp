#pragma once
// Running a profile's credential_process as the AWS SDKs do: through
// `/bin/sh -c`, with our environment and stdin, its stdout read in full. The
// run is bounded in time and in output, and its process group is killed when
// either bound is passed.

#include <chrono>
#include <cstddef>
#include <string>

#include "core/util/result.hpp"

namespace aia::app {

inline constexpr std::size_t kMaxCredentialProcessOutput = 64 * 1024;

// Its stdout when it exits 0. Errors give the exit status (or the bound
// passed) and the first line of its stderr, never its stdout (secrets).
Result<std::string, std::string> run_credential_process(const std::string& command, std::chrono::milliseconds timeout,
                                                        std::size_t max_output = kMaxCredentialProcessOutput);

}  // namespace aia::app
