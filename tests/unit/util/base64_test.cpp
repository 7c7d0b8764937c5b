#include <catch2/catch.hpp>

#include "core/util/base64.hpp"

using namespace aia;

TEST_CASE("base64url round-trips every length and byte", "[base64]") {
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
        const std::string encoded = base64::encode_url_unpadded(bytes);
        CHECK(encoded.find('=') == std::string::npos);
        const auto decoded = base64::decode_url_unpadded(encoded);
        REQUIRE(decoded.ok());
        CHECK(*decoded == bytes);
        bytes += static_cast<char>(i * 37 + 11);
    }
}

TEST_CASE("base64url uses the URL alphabet", "[base64]") {
    CHECK(base64::encode_url_unpadded("\xfb\xff\xbf") == "-_-_");
    CHECK(base64::encode_url_unpadded("https://sts") == "aHR0cHM6Ly9zdHM");
    CHECK(*base64::decode_url_unpadded("aHR0cHM6Ly9zdHM") == "https://sts");
}

TEST_CASE("base64url decoding is strict", "[base64]") {
    const auto position_of_error = [](std::string_view text) {
        const auto decoded = base64::decode_url_unpadded(text);
        REQUIRE_FALSE(decoded.ok());
        return decoded.error().position;
    };
    SECTION("padding is refused") { CHECK(position_of_error("aGk=") == 3); }
    SECTION("the standard alphabet's + and / are refused") {
        CHECK(position_of_error("ab+d") == 2);
        CHECK(position_of_error("abc/") == 3);
    }
    SECTION("line breaks and spaces are refused") {
        CHECK(position_of_error("aGVs\nbG8") == 4);
        CHECK(position_of_error("aGVs bG8") == 4);
    }
    SECTION("a single dangling character is not a byte") { CHECK(position_of_error("aGVsb") == 4); }
    SECTION("non-zero trailing bits would give a second spelling") {
        CHECK(*base64::decode_url_unpadded("aGk") == "hi");
        CHECK(position_of_error("aGl") == 2);
        CHECK(*base64::decode_url_unpadded("aA") == "h");
        CHECK(position_of_error("aB") == 1);
    }
    SECTION("non-ASCII bytes are refused") { CHECK(position_of_error("aGk\xc3\xa9") == 3); }
}

TEST_CASE("standard base64 pads", "[base64]") {
    CHECK(base64::encode_standard("") == "");
    CHECK(base64::encode_standard("f") == "Zg==");
    CHECK(base64::encode_standard("fo") == "Zm8=");
    CHECK(base64::encode_standard("foo") == "Zm9v");
    CHECK(base64::encode_standard("\xfb\xff\xbf") == "+/+/");
}
