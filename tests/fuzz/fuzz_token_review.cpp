// libFuzzer target: the TokenReview request parsers.
// Properties beyond "no crash, no UB": whenever the fast path for plain
// bodies answers, the general (nlohmann) parser accepts the same body with
// the same apiVersion and token; a refusal always has a reason.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/review/plain_token_review.hpp"
#include "core/review/token_review.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto general = aia::review::parse_token_review_general(body);
    if (!general && general.error().empty()) std::abort();

    const auto fast = aia::review::parse_plain_token_review(body, 8);
    if (fast) {
        if (!general) std::abort();
        if (fast->api_version != general->api_version || fast->token != general->token) std::abort();
    }
    return 0;
}
