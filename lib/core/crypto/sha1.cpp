#include "core/crypto/sha1.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace aia::crypto {

std::string sha1_hex(std::string_view data) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::array<std::uint8_t, 20> digest{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha1(), nullptr) != 1 ||
        length != digest.size()) {
        throw std::runtime_error("OpenSSL SHA-1 failed");
    }
    std::string out;
    out.reserve(digest.size() * 2);
    for (std::uint8_t byte : digest) {
        out += kHex[byte >> 4];
        out += kHex[byte & 0x0f];
    }
    return out;
}

}  // namespace aia::crypto
