#pragma once
// Percent-encoding (RFC 3986 §2.1) in the two flavours we need.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace aia::percent {

struct DecodeError {
    std::size_t position;  // offset of the '%' that starts a bad escape
};

// Strict decoding for input we validate: every '%' must start a two-digit hex
// escape. '+' is kept as a literal '+' (callers that must refuse the
// form-encoding ambiguity check for it first).
Result<std::string, DecodeError> decode_strict(std::string_view encoded);

// Lenient decoding as SigV4 canonicalization does it: a '%' that does not
// start a valid escape stands for itself.
std::string decode_lenient(std::string_view encoded);

// SigV4 "UriEncode": keeps A-Z a-z 0-9 - . _ ~ (and '/' when asked), encodes
// every other byte as %XX with upper-case hex.
enum class Slash { Encode, Keep };
std::string encode_sigv4(std::string_view bytes, Slash slash = Slash::Encode);

}  // namespace aia::percent
