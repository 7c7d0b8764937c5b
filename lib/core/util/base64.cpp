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
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
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

    // Written in place: a token is ~1.5 KB, and appending byte by byte
    // showed up in profiles.
    std::string out(encoded.size() / 4 * 3 + (encoded.size() % 4 == 0 ? 0 : encoded.size() % 4 - 1), '\0');
    char* next = out.data();
    const auto value = [&encoded](std::size_t i) -> std::uint32_t {
        return kUrlDecodeTable[static_cast<unsigned char>(encoded[i])];
    };
    std::size_t i = 0;
    for (; i + 4 <= encoded.size(); i += 4) {
        const std::uint32_t group = value(i) << 18 | value(i + 1) << 12 | value(i + 2) << 6 | value(i + 3);
        *next++ = static_cast<char>(group >> 16);
        *next++ = static_cast<char>(group >> 8 & 0xff);
        *next++ = static_cast<char>(group & 0xff);
    }
    // Two or three characters left carry one or two bytes; the bits left
    // over must be zero, otherwise two spellings would decode alike.
    const std::size_t rest = encoded.size() - i;
    if (rest >= 2) {
        std::uint32_t group = value(i) << 18 | value(i + 1) << 12 | (rest == 3 ? value(i + 2) << 6 : 0);
        *next++ = static_cast<char>(group >> 16);
        if (rest == 3) *next++ = static_cast<char>(group >> 8 & 0xff);
        const std::uint32_t unused = rest == 2 ? (group & 0xffff) : (group & 0xff);
        if (unused != 0) return fail(DecodeError{encoded.size() - 1});
    }
    return out;
}

std::string encode_url_unpadded(std::string_view bytes) { return encode(bytes, kUrlAlphabet, false); }

std::string encode_standard(std::string_view bytes) { return encode(bytes, kStandardAlphabet, true); }

}  // namespace aia::base64
