#pragma once
// Base64 as the token format needs it.
//
// Tokens are RFC 4648 §5 "base64url" without padding. Decoding is strict:
// padding, line breaks, characters outside the alphabet and non-zero trailing
// bits are all rejected, so every decoded URL has exactly one token spelling.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace aia::base64 {

struct DecodeError {
    std::size_t position;  // offset of the first offending byte in the input
};

// Decodes unpadded base64url ('-' and '_' alphabet).
Result<std::string, DecodeError> decode_url_unpadded(std::string_view encoded);

// Encodes as unpadded base64url.
std::string encode_url_unpadded(std::string_view bytes);

// Encodes as standard padded base64 ('+' and '/' alphabet), as kubeconfig
// "*-data" fields and PEM bodies use.
std::string encode_standard(std::string_view bytes);

}  // namespace aia::base64
