#include "core/review/token_review.hpp"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/review/plain_token_review.hpp"
#include "core/util/json_depth.hpp"
#include "core/util/plain_json.hpp"

namespace aia::review {
namespace {

// A TokenReview nests three levels (metadata, spec, status.user.extra).
constexpr int kMaxJsonDepth = 8;

nlohmann::json envelope(std::string_view api_version) { return {{"apiVersion", api_version}, {"kind", "TokenReview"}}; }

}  // namespace

Result<TokenReviewRequest, std::string> parse_token_review(std::string_view body) {
    if (auto plain = parse_plain_token_review(body, kMaxJsonDepth)) return std::move(*plain);
    return parse_token_review_general(body);
}

Result<TokenReviewRequest, std::string> parse_token_review_general(std::string_view body) {
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
        if (!it->is_string() || it->get_ref<const std::string&>() != "TokenReview")
            return fail("kind is not TokenReview");
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

namespace {

// Strings JSON carries verbatim: printable ASCII without '"' or '\\'.
bool verbatim(std::string_view text) { return plain_json::find_not_verbatim(text) == text.size(); }

void append_string(std::string& out, std::string_view text) {
    out += '"';
    out += text;
    out += '"';
}

void append_list(std::string& out, const std::vector<std::string>& items) {
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ',';
        append_string(out, items[i]);
    }
    out += ']';
}

// The answer written directly, byte for byte what the nlohmann rendering
// below writes (keys sorted, as its std::map objects are): an answer per
// request made it a tenth of the server's instructions. Only for strings
// that need no escaping and extra keys that are unique; anything else goes
// the general way.
std::optional<std::string> render_plain(std::string_view api_version, const ReviewedUser& user) {
    if (!verbatim(api_version) || !verbatim(user.username) || !verbatim(user.uid)) return std::nullopt;
    for (const std::string& group : user.groups) {
        if (!verbatim(group)) return std::nullopt;
    }
    std::vector<const std::pair<std::string, std::vector<std::string>>*> extra;
    for (const auto& entry : user.extra) {
        if (!verbatim(entry.first)) return std::nullopt;
        for (const std::string& value : entry.second) {
            if (!verbatim(value)) return std::nullopt;
        }
        extra.push_back(&entry);
    }
    std::sort(extra.begin(), extra.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
    if (std::adjacent_find(extra.begin(), extra.end(),
                           [](const auto* a, const auto* b) { return a->first == b->first; }) != extra.end()) {
        return std::nullopt;
    }

    std::string out;
    out.reserve(256 + 64 * user.groups.size() + 128 * extra.size());
    out += R"({"apiVersion":)";
    append_string(out, api_version);
    out += R"(,"kind":"TokenReview","status":{"authenticated":true,"user":{)";
    if (!extra.empty()) {
        out += R"("extra":{)";
        for (std::size_t i = 0; i < extra.size(); ++i) {
            if (i > 0) out += ',';
            append_string(out, extra[i]->first);
            out += ':';
            append_list(out, extra[i]->second);
        }
        out += "},";
    }
    if (!user.groups.empty()) {
        out += R"("groups":)";
        append_list(out, user.groups);
        out += ',';
    }
    out += R"("uid":)";
    append_string(out, user.uid);
    out += R"(,"username":)";
    append_string(out, user.username);
    out += "}}}";
    return out;
}

}  // namespace

std::string render_authenticated(std::string_view api_version, const ReviewedUser& user) {
    if (auto plain = render_plain(api_version, user)) return std::move(*plain);
    return render_authenticated_general(api_version, user);
}

std::string render_authenticated_general(std::string_view api_version, const ReviewedUser& user) {
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
