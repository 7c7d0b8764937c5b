#pragma once
// AWS credentials as the signer consumes them.

#include <string>

namespace aia::sigv4 {

struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;  // never logged
    std::string session_token;      // empty for long-term credentials; never logged
};

}  // namespace aia::sigv4
