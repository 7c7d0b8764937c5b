#pragma once
// Random damage for differential parser tests: up to three bytes erased,
// inserted or overwritten (with characters from `junk`), in a quarter of
// the calls.

#include <random>
#include <string>
#include <string_view>

namespace aia::test {

inline void maybe_mangle(std::string& body, std::mt19937& random, std::string_view junk) {
    for (auto mangle = random() % 4 == 0 ? 1 + random() % 3 : 0; mangle > 0 && !body.empty(); --mangle) {
        const std::size_t at = random() % body.size();
        switch (random() % 3) {
            case 0:
                body.erase(at, 1);
                break;
            case 1:
                body.insert(at, 1, junk[random() % junk.size()]);
                break;
            default:
                body[at] = junk[random() % junk.size()];
                break;
        }
    }
}

}  // namespace aia::test
