#pragma once
// SHA-256 and HMAC-SHA256, the only primitives SigV4 needs (OpenSSL inside).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace aia::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::string_view data);

Sha256Digest hmac_sha256(std::string_view key, std::string_view data);
Sha256Digest hmac_sha256(const Sha256Digest& key, std::string_view data);

// Lower-case hex, as SigV4 writes hashes and signatures.
std::string to_hex(const Sha256Digest& digest);

// The digest's raw bytes, for chaining HMACs or hashing further.
std::string_view as_bytes(const Sha256Digest& digest);

// Compares in time independent of where the inputs first differ.
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

}  // namespace aia::crypto
