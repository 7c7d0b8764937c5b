#pragma once
// STS GetCallerIdentity answer (JSON, as sent for Accept: application/json)
// -> Identity. Strict: any doubt about the answer is an error, never a guess.
//
//   {"GetCallerIdentityResponse":{"GetCallerIdentityResult":
//      {"Account":"111122223333","Arn":"arn:aws:sts::...","UserId":"AROA...:alice"},
//    "ResponseMetadata":{"RequestId":"..."}}}

#include <cstddef>
#include <string>
#include <string_view>

#include "core/identity/identity.hpp"
#include "core/token/presigned_request.hpp"
#include "core/util/result.hpp"

namespace aia::identity {

// Real answers are under 1 KiB; anything this large is not STS.
inline constexpr std::size_t kMaxStsAnswerBytes = 64 * 1024;

struct StsAnswer {
    std::string account;
    std::string arn;
    std::string user_id;
};

struct IdentityError {
    std::string detail;

    // "sts getCallerIdentity failed: <detail>", upstream's wording (its
    // class of error: the answer, not the token, is at fault).
    std::string message() const;
};

// Parses and checks the shape of the answer. Answers as STS writes them
// (plain JSON) are read in place; anything else goes through nlohmann.
Result<StsAnswer, IdentityError> parse_sts_answer(std::string_view body);
// The nlohmann path alone, for any input (tests and a fuzz target hold the
// two equal).
Result<StsAnswer, IdentityError> parse_sts_answer_general(std::string_view body);

// Checks the answer's content (ARN, account, user ID) and combines it with
// what the token told us.
Result<Identity, IdentityError> identity_from_answer(const StsAnswer& answer, const token::PresignedRequest& request);

// Both steps.
Result<Identity, IdentityError> identity_from_sts_body(std::string_view body, const token::PresignedRequest& request);

}  // namespace aia::identity
