#pragma once
// Credentials the server signs its own AWS calls with.

#include <optional>
#include <string>

#include "core/sigv4/credentials.hpp"
#include "core/util/amz_time.hpp"

namespace aia::aws {

struct AwsCredentials {
    sigv4::Credentials keys;
    std::optional<amz_time::Seconds> expiration;  // temporary credentials only
    std::string source;                           // which provider: "environment", "web identity", ... (for logs)
};

}  // namespace aia::aws
