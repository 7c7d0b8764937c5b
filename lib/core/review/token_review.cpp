#include "core/review/token_review.hpp"

#include <nlohmann/json.hpp>

#include "core/util/json_depth.hpp"

namespace aia::review {
namespace {

// A TokenReview nests three levels (metadata, spec, status.user.extra).
constexpr int kMaxJsonDepth = 8;

nlohmann::json envelope(std::string_view api_version) {
    return {{"apiVersion", api_version}, {"kind", "TokenReview"}};
}

}  // namespace

Result<TokenReviewRequest, std::string> parse_token_review(std::string_view body) {
    if (!json_depth::within(body, kMaxJsonDepth)) return fail("body nested too deeply");
    const nlohmann::json json = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return fail("body is not valid JSON");
    if (!json.is_object()) return fail("body is not a JSON object");

    TokenReviewRequest request;
    request.api_version = kApiVersionV1Beta1;
    if (const auto it = json.find("apiVersion"); it != json.end()) {
        if (!it->is_string()) return fail("apiVersion is not a string");
        const auto& version = it->get_ref<const std::string&>();
        if (version != kApiVersionV1 && version != kApiVersionV1Beta1) return fail("unsupported apiVersion");
        request.api_version = version;
    }
    if (const auto it = json.find("kind"); it != json.end()) {
        if (!it->is_string() || it->get_ref<const std::string&>() != "TokenReview") return fail("kind is not TokenReview");
    }
    if (const auto spec = json.find("spec"); spec != json.end()) {
        if (!spec->is_object()) return fail("spec is not an object");
        if (const auto token = spec->find("token"); token != spec->end()) {
            if (!token->is_string()) return fail("spec.token is not a string");
            request.token = token->get<std::string>();
        }
    }
    return request;
}

std::string render_authenticated(std::string_view api_version, const ReviewedUser& user) {
    nlohmann::json json_user = {{"username", user.username}, {"uid", user.uid}};
    // Upstream omits empty groups and extra (Go's omitempty).
    if (!user.groups.empty()) json_user["groups"] = user.groups;
    if (!user.extra.empty()) {
        nlohmann::json extra = nlohmann::json::object();
        for (const auto& [key, values] : user.extra) extra[key] = values;
        json_user["extra"] = std::move(extra);
    }
    nlohmann::json json = envelope(api_version);
    json["status"] = {{"authenticated", true}, {"user", std::move(json_user)}};
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_denied(std::string_view api_version) {
    nlohmann::json json = envelope(api_version);
    json["status"] = {{"authenticated", false}, {"user", nlohmann::json::object()}};
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace aia::review
