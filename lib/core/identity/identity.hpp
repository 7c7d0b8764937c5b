#pragma once
// Who STS says signed the token.

#include <string>

#include "core/arn/arn.hpp"

namespace aia::identity {

struct Identity {
    std::string arn;            // as STS returned it, e.g. arn:aws:sts::111122223333:assumed-role/Admin/alice
    std::string canonical_arn;  // what mappings name, e.g. arn:aws:iam::111122223333:role/Admin
    arn::PrincipalType principal_type = arn::PrincipalType::User;
    std::string account_id;     // 12 digits
    std::string user_id;        // unique ID: "AIDA..." for users, "AROA..." for roles, whole UserId otherwise
    std::string session_name;   // role sessions only; chosen by whoever assumed the role, so not trusted
    std::string access_key_id;  // from the token
    std::string sts_host;       // the STS endpoint that vouched for it
};

}  // namespace aia::identity
