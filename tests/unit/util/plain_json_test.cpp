#include <catch2/catch.hpp>

#include <string>

#include "core/util/plain_json.hpp"

using aia::plain_json::find_not_verbatim;
using aia::plain_json::is_verbatim;

namespace {

// The same answer one byte at a time.
std::size_t first_not_verbatim(std::string_view text, std::size_t from) {
    while (from < text.size() && is_verbatim(text[from])) ++from;
    return from;
}

}  // namespace

TEST_CASE("plain json: verbatim characters are printable ASCII but quote and backslash", "[plain-json]") {
    CHECK(is_verbatim(' '));
    CHECK(is_verbatim('~'));
    CHECK(is_verbatim('a'));
    CHECK_FALSE(is_verbatim('"'));
    CHECK_FALSE(is_verbatim('\\'));
    CHECK_FALSE(is_verbatim('\x1f'));
    CHECK_FALSE(is_verbatim('\x7f'));
    CHECK_FALSE(is_verbatim('\x80'));
    CHECK_FALSE(is_verbatim('\xff'));
}

TEST_CASE("plain json: the word-at-a-time scan finds every byte value at every position", "[plain-json]") {
    // Each byte value planted at each offset of strings long enough for
    // several words and a tail, after a verbatim prefix, from several
    // starting points; bytes after it that would also stop the scan
    // (a borrow or carry could hide or fake a match there) vary too.
    std::size_t checked = 0;
    for (int value = 0; value < 256; ++value) {
        for (std::size_t length : {1u, 7u, 8u, 9u, 16u, 23u}) {
            for (std::size_t position = 0; position < length; ++position) {
                for (const char after : {'a', '\0', '\xff', '"', '\x7e'}) {
                    std::string text(length, 'k');
                    text[position] = static_cast<char>(value);
                    for (std::size_t i = position + 1; i < length; i += 2) text[i] = after;
                    for (std::size_t from : {0u, 1u, 5u}) {
                        if (from > length) continue;
                        INFO("value " << value << " length " << length << " position " << position << " from " << from);
                        REQUIRE(find_not_verbatim(text, from) == first_not_verbatim(text, from));
                        ++checked;
                    }
                }
            }
        }
    }
    CHECK(checked > 100'000);
}

TEST_CASE("plain json: a string with nothing to stop at is scanned to its end", "[plain-json]") {
    const std::string token = "k8s-aws-v1." + std::string(1500, 'A');
    CHECK(find_not_verbatim(token) == token.size());
    CHECK(find_not_verbatim("") == 0);
    CHECK(find_not_verbatim(token + "\"}") == token.size());
}
