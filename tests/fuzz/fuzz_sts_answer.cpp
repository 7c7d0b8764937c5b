// libFuzzer target: the STS GetCallerIdentity answer parser.
// Properties beyond "no crash, no UB": the fast path for plain answers and
// the general parser give the same answer or the same error; an accepted
// answer always yields an identity whose canonical ARN canonicalizes to
// itself and whose account is 12 digits.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/arn/arn.hpp"
#include "core/identity/sts_answer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    aia::token::PresignedRequest request;
    request.host = "sts.us-west-2.amazonaws.com";
    request.access_key_id = "ASIAFUZZ";

    const auto either = aia::identity::parse_sts_answer(body);
    const auto general = aia::identity::parse_sts_answer_general(body);
    if (either.ok() != general.ok()) std::abort();
    if (either.ok() &&
        (either->account != general->account || either->arn != general->arn || either->user_id != general->user_id)) {
        std::abort();
    }
    if (!either.ok() && either.error().detail != general.error().detail) std::abort();

    const auto identity = aia::identity::identity_from_sts_body(body, request);
    if (!identity) {
        if (identity.error().message().empty()) std::abort();
        return 0;
    }
    const auto again = aia::arn::canonicalize(identity->canonical_arn);
    if (!again || again->arn != identity->canonical_arn) std::abort();
    if (identity->account_id.size() != 12) std::abort();
    return 0;
}
