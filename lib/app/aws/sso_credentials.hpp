#pragma once
// Credentials of an IAM Identity Center (SSO) profile: the sign-in the AWS
// CLI cached (`aws sso login`) is exchanged at the SSO portal for the
// profile's role in its account (GetRoleCredentials), as the SDKs do. This
// never signs in itself: a missing or expired sign-in asks the user to run
// `aws sso login --profile <profile>`.

#include <memory>
#include <string>

#include "app/aws/credential_providers.hpp"
#include "core/aws/shared_config.hpp"

namespace aia::app {

std::unique_ptr<CredentialProvider> make_sso_provider(const ProviderContext& context, aws::SsoSettings settings,
                                                      std::string profile_name);

}  // namespace aia::app
