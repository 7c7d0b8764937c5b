// libFuzzer target: TokenValidator::validate on hostile input.
//
// The first byte picks how the rest is used, so the fuzzer reaches both the
// outer checks (raw token text) and the deep ones (a URL wrapped into a
// well-formed token, which is what a real attacker controls).
// Properties checked beyond "no crash, no UB":
//   - an accepted token always names an allow-listed STS host over https;
//   - an accepted token's URL is exactly what the validator was given.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/token/sts_host.hpp"
#include "core/token/token_validator.hpp"
#include "core/util/base64.hpp"

namespace {

using namespace aia;

const token::TokenValidator& validator() {
    static const token::TokenValidator instance = [] {
        auto created = token::TokenValidator::create({.cluster_id = "fuzz-cluster", .partition = "aws"});
        if (!created) std::abort();
        return std::move(created).value();
    }();
    return instance;
}

// 2023-04-28T00:05:00Z: inside the lifetime of tokens signed at the seeds' date.
constexpr amz_time::Seconds kNow{std::chrono::seconds{1682640300}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    const bool wrap_as_url = data[0] & 1;

    const std::string token =
        wrap_as_url ? std::string(token::kTokenPrefix) + base64::encode_url_unpadded(input) : std::string(input);
    const auto result = validator().validate(token, kNow);
    if (!result) {
        // Every error must render to a message without touching the token.
        if (result.error().message().empty()) std::abort();
        return 0;
    }

    const token::PresignedRequest& request = result.value();
    if (!token::validate_sts_host(request.host, validator().region_policy()).ok()) std::abort();
    if (!request.target.starts_with("/?")) std::abort();
    if (wrap_as_url && request.url() != input) std::abort();
    return 0;
}
