#include "core/review/plain_token_review.hpp"

#include "core/util/plain_json.hpp"

namespace aia::review {

std::optional<TokenReviewRequest> parse_plain_token_review(std::string_view body, int max_depth) {
    plain_json::Scanner scan(body, max_depth);
    std::optional<std::string_view> api_version, kind, token;
    bool spec_seen = false;
    bool doubt = false;  // a field we read is repeated or of another type: the general parser decides
    const auto read_string = [&scan, &doubt](std::optional<std::string_view>& slot) {
        return plain_json::read_string_once(scan, slot, doubt);
    };

    if (!scan.expect('{')) return std::nullopt;
    const bool read = scan.object_members(1, [&](std::string_view key) {
        if (key == "apiVersion") return read_string(api_version);
        if (key == "kind") return read_string(kind);
        if (key != "spec") return false;
        if (spec_seen || !scan.next_is('{')) {
            doubt = true;
            return false;
        }
        spec_seen = true;
        scan.object_members(2, [&](std::string_view spec_key) { return spec_key == "token" && read_string(token); });
        return true;
    });
    if (!read || scan.unsure() || doubt || !scan.at_end()) return std::nullopt;
    if (kind && *kind != "TokenReview") return std::nullopt;
    if (api_version && *api_version != kApiVersionV1 && *api_version != kApiVersionV1Beta1) return std::nullopt;
    return TokenReviewRequest{std::string(api_version.value_or(kApiVersionV1Beta1)), std::string(token.value_or(""))};
}

}  // namespace aia::review
