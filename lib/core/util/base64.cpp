#include "core/util/base64.hpp"

#include <array>
#include <cstdint>

namespace aia::base64 {
namespace {

constexpr std::string_view kUrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kStandardAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table(std::string_view alphabet) {
    std::array<std::uint8_t, 256> table{};
    for (auto& entry : table) entry = kInvalid;
    for (std::size_t i = 0; i < alphabet.size(); ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
    return table;
}

constexpr auto kUrlDecodeTable = make_decode_table(kUrlAlphabet);

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                                std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        if (pad) out += "==";
    } else if (rest == 2) {
        const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        if (pad) out += '=';
    }
    return out;
}

}  // namespace

Result<std::string, DecodeError> decode_url_unpadded(std::string_view encoded) {
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (kUrlDecodeTable[static_cast<unsigned char>(encoded[i])] == kInvalid) return fail(DecodeError{i});
    }
    // A single dangling character carries only 6 bits: not a whole byte.
    if (encoded.size() % 4 == 1) return fail(DecodeError{encoded.size() - 1});

    std::string out;
    out.reserve(encoded.size() / 4 * 3 + 2);
    std::uint32_t accumulator = 0;
    int bits = 0;
    for (char c : encoded) {
        accumulator = (accumulator << 6) | kUrlDecodeTable[static_cast<unsigned char>(c)];
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((accumulator >> bits) & 0xff);
        }
    }
    // The bits left over must be zero; otherwise two spellings decode alike.
    if (bits > 0 && (accumulator & ((1u << bits) - 1)) != 0) return fail(DecodeError{encoded.size() - 1});
    return out;
}

std::string encode_url_unpadded(std::string_view bytes) { return encode(bytes, kUrlAlphabet, false); }

std::string encode_standard(std::string_view bytes) { return encode(bytes, kStandardAlphabet, true); }

}  // namespace aia::base64
