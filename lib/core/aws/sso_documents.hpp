#pragma once
// The documents of IAM Identity Center (SSO) sign-in, as the AWS CLI and the
// SDKs use them:
//   the cached sign-in the CLI's `aws sso login` writes to
//     ~/.aws/sso/cache/<SHA-1 hex of the session name, or of the start URL>.json
//     {"accessToken": "...", "expiresAt": "2026-12-04T19:00:00Z", "region": ..., "startUrl": ...}
//   the portal's GetRoleCredentials answer
//     {"roleCredentials": {"accessKeyId", "secretAccessKey", "sessionToken",
//                          "expiration": <Unix epoch milliseconds>}}

#include <string>
#include <string_view>

#include "core/aws/aws_credentials.hpp"
#include "core/aws/shared_config.hpp"
#include "core/util/amz_time.hpp"
#include "core/util/result.hpp"

namespace aia::aws {

// "<40 hex digits>.json": the sso_session form is keyed by the session's
// name, the legacy form by the start URL.
std::string sso_cache_file_name(const SsoSettings& settings);

struct SsoAccessToken {
    std::string access_token;
    amz_time::Seconds expires_at;
};

// Accepts the forms of expiresAt the CLIs have written: "...Z", "...+00:00",
// and the older "...UTC".
Result<SsoAccessToken, std::string> parse_sso_cached_token(std::string_view json);

// True when the sign-in can no longer be used at `now`.
bool sso_token_expired(const SsoAccessToken& token, amz_time::Seconds now);

Result<AwsCredentials, std::string> parse_sso_role_credentials(std::string_view json);

}  // namespace aia::aws
