#include "core/crypto/sha256.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace aia::crypto {

namespace {

// Looked up once. Given EVP_sha256(), OpenSSL 3 looks the implementation
// up again on every digest: a name lookup under locks, as costly as
// hashing a whole token and contended between the worker threads.
const EVP_MD* sha256_method() {
    static const EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
}

}  // namespace

Sha256Digest sha256(std::string_view data) {
    Sha256Digest out{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &length, sha256_method(), nullptr) != 1 ||
        length != out.size()) {
        throw std::runtime_error("OpenSSL SHA-256 failed");
    }
    return out;
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
    Sha256Digest out{};
    unsigned int length = 0;
    const auto* result = HMAC(sha256_method(), key.data(), static_cast<int>(key.size()),
                              reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &length);
    if (result == nullptr || length != out.size()) throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
    return out;
}

Sha256Digest hmac_sha256(const Sha256Digest& key, std::string_view data) { return hmac_sha256(as_bytes(key), data); }

std::string to_hex(const Sha256Digest& digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(digest.size() * 2);
    for (std::uint8_t byte : digest) {
        out += kHex[byte >> 4];
        out += kHex[byte & 0x0f];
    }
    return out;
}

std::string_view as_bytes(const Sha256Digest& digest) {
    return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace aia::crypto
