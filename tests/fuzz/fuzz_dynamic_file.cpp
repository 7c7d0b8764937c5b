// libFuzzer target: the DynamicFile mapping document (JSON). The first byte
// chooses userIDStrict. Properties beyond "no crash, no UB": a refusal has a
// reason; with userIDStrict every accepted entry carries a user ID.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/mapping/dynamic_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool strict = (data[0] & 1) != 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto parsed = aia::mapping::parse_dynamic_file(text, strict);
    if (!parsed) {
        if (parsed.error().empty()) std::abort();
        return 0;
    }
    if (strict) {
        for (const auto* list : {&parsed->config.roles, &parsed->config.users}) {
            for (const auto& entry : *list) {
                if (entry.user_id.empty()) std::abort();
            }
        }
    }
    return 0;
}
