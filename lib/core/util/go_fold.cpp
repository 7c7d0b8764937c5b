#include "core/util/go_fold.hpp"

#include "core/util/ascii.hpp"

namespace aia::go_fold {

std::string fold(std::string_view key) {
    static constexpr std::string_view kLongS = "\xC5\xBF";       // U+017F
    static constexpr std::string_view kKelvin = "\xE2\x84\xAA";  // U+212A
    std::string out;
    out.reserve(key.size());
    for (std::size_t i = 0; i < key.size();) {
        const std::string_view rest = key.substr(i);
        if (rest.starts_with(kLongS)) {
            out += 's';
            i += kLongS.size();
        } else if (rest.starts_with(kKelvin)) {
            out += 'k';
            i += kKelvin.size();
        } else {
            out += ascii::to_lower(key[i]);
            ++i;
        }
    }
    return out;
}

bool names_field(std::string_view key, std::string_view lower_name) { return fold(key) == lower_name; }

}  // namespace aia::go_fold
