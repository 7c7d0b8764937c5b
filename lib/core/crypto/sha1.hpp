#pragma once
// SHA-1, only to name files the way other AWS tools name them (the AWS CLI's
// SSO token cache); never for anything that needs a secure hash.

#include <string>
#include <string_view>

namespace aia::crypto {

// Lower-case hex of the SHA-1 digest of `data`.
std::string sha1_hex(std::string_view data);

}  // namespace aia::crypto
