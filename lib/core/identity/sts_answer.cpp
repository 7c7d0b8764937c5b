#include "core/identity/sts_answer.hpp"

#include <algorithm>
#include <optional>
#include <nlohmann/json.hpp>

#include "core/util/ascii.hpp"
#include "core/util/json_depth.hpp"
#include "core/util/plain_json.hpp"
#include "core/util/quote.hpp"

namespace aia::identity {
namespace {

// Real answers nest three levels deep.
constexpr int kMaxJsonDepth = 8;

IdentityError error(std::string detail) { return {std::move(detail)}; }

Result<std::string, IdentityError> string_field(const nlohmann::json& object, const char* name) {
    const auto it = object.find(name);
    if (it == object.end()) return fail(error(std::string("missing ") + name));
    if (!it->is_string()) return fail(error(std::string(name) + " is not a string"));
    std::string value = it->get<std::string>();
    if (value.empty()) return fail(error(std::string(name) + " is empty"));
    if (!std::all_of(value.begin(), value.end(), ascii::is_graphic)) {
        return fail(error(std::string(name) + " contains a space, control or non-ASCII character"));
    }
    return value;
}

// Account, Arn and UserId when the answer is plain JSON (as STS writes it)
// and well-formed; nullopt leaves the body, and any error, to nlohmann.
std::optional<StsAnswer> parse_plain_sts_answer(std::string_view body) {
    plain_json::Scanner scan(body, kMaxJsonDepth);
    std::optional<std::string_view> account, arn, user_id;
    bool response_seen = false, result_seen = false, doubt = false;
    // Reads the object under `key` with `members`, once; anything else there is a doubt.
    const auto nested = [&](bool& seen, int depth, auto members) {
        if (seen || !scan.next_is('{')) {
            doubt = true;
            return false;
        }
        seen = true;
        scan.object_members(depth, members);
        return true;
    };

    if (!scan.expect('{')) return std::nullopt;
    scan.object_members(1, [&](std::string_view key) {
        if (key != "GetCallerIdentityResponse") return false;
        return nested(response_seen, 2, [&](std::string_view response_key) {
            if (response_key != "GetCallerIdentityResult") return false;
            return nested(result_seen, 3, [&](std::string_view field) {
                if (field == "Account") return plain_json::read_string_once(scan, account, doubt);
                if (field == "Arn") return plain_json::read_string_once(scan, arn, doubt);
                if (field == "UserId") return plain_json::read_string_once(scan, user_id, doubt);
                return false;
            });
        });
    });
    if (scan.unsure() || doubt || !scan.at_end() || !account || !arn || !user_id) return std::nullopt;
    for (const std::string_view value : {*account, *arn, *user_id}) {
        if (value.empty() || !std::all_of(value.begin(), value.end(), ascii::is_graphic)) return std::nullopt;
    }
    return StsAnswer{std::string(*account), std::string(*arn), std::string(*user_id)};
}

}  // namespace

std::string IdentityError::message() const { return "sts getCallerIdentity failed: " + detail; }

Result<StsAnswer, IdentityError> parse_sts_answer(std::string_view body) {
    if (body.size() > kMaxStsAnswerBytes)
        return fail(error("answer larger than " + std::to_string(kMaxStsAnswerBytes) + " bytes"));
    if (auto plain = parse_plain_sts_answer(body)) return std::move(*plain);
    return parse_sts_answer_general(body);
}

Result<StsAnswer, IdentityError> parse_sts_answer_general(std::string_view body) {
    if (body.size() > kMaxStsAnswerBytes)
        return fail(error("answer larger than " + std::to_string(kMaxStsAnswerBytes) + " bytes"));
    if (!json_depth::within(body, kMaxJsonDepth)) return fail(error("answer nested too deeply"));

    const nlohmann::json json = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return fail(error("answer is not valid JSON"));
    if (!json.is_object()) return fail(error("answer is not a JSON object"));

    const auto response = json.find("GetCallerIdentityResponse");
    if (response == json.end() || !response->is_object())
        return fail(error("missing GetCallerIdentityResponse object"));
    const auto result = response->find("GetCallerIdentityResult");
    if (result == response->end() || !result->is_object()) return fail(error("missing GetCallerIdentityResult object"));

    auto account = string_field(*result, "Account");
    if (!account) return fail(std::move(account).error());
    auto arn = string_field(*result, "Arn");
    if (!arn) return fail(std::move(arn).error());
    auto user_id = string_field(*result, "UserId");
    if (!user_id) return fail(std::move(user_id).error());
    return StsAnswer{std::move(account).value(), std::move(arn).value(), std::move(user_id).value()};
}

Result<Identity, IdentityError> identity_from_answer(const StsAnswer& answer, const token::PresignedRequest& request) {
    auto canonical = arn::canonicalize(answer.arn);
    if (!canonical) return fail(error(std::move(canonical).error()));
    if (canonical->account != answer.account) {
        return fail(
            error("Account " + quote(answer.account) + " does not match the account of Arn " + quote(answer.arn, 256)));
    }

    Identity id;
    id.arn = answer.arn;
    id.canonical_arn = std::move(canonical->arn);
    id.principal_type = canonical->type;
    id.account_id = answer.account;
    id.access_key_id = request.access_key_id;
    id.sts_host = request.host;

    // UserId is "<role id>:<session name>" for role sessions. For users, root
    // and federated users it is kept whole: a federated user's is
    // "<account>:<name>", and cutting it would make it the root's.
    switch (canonical->type) {
        case arn::PrincipalType::User:
        case arn::PrincipalType::Root:
        case arn::PrincipalType::FederatedUser:
            id.user_id = answer.user_id;
            break;
        case arn::PrincipalType::Role:
        case arn::PrincipalType::AssumedRole: {
            const std::size_t colon = answer.user_id.find(':');
            const bool one_colon =
                colon != std::string::npos && answer.user_id.find(':', colon + 1) == std::string::npos;
            if (!one_colon || colon == 0 || colon + 1 == answer.user_id.size()) {
                return fail(error("malformed UserID " + quote(answer.user_id, 256)));
            }
            id.user_id = answer.user_id.substr(0, colon);
            id.session_name = answer.user_id.substr(colon + 1);
            // The session name is also the last segment of the session ARN.
            if (canonical->type == arn::PrincipalType::AssumedRole &&
                !std::string_view(answer.arn).ends_with("/" + id.session_name)) {
                return fail(error("UserId session " + quote(id.session_name) + " does not match Arn " +
                                  quote(answer.arn, 256)));
            }
            break;
        }
    }
    return id;
}

Result<Identity, IdentityError> identity_from_sts_body(std::string_view body, const token::PresignedRequest& request) {
    auto answer = parse_sts_answer(body);
    if (!answer) return fail(std::move(answer).error());
    return identity_from_answer(*answer, request);
}

}  // namespace aia::identity
