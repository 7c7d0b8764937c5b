#pragma once
// The identities the STS emulator knows, from a JSON file:
//
//   {"identities": [
//     {"accessKeyId": "ASIA...", "secretAccessKey": "...", "sessionToken": "...",
//      "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
//      "userId": "AROAEXAMPLEROLEID:alice"}
//   ]}
//
// sessionToken is optional (long-term keys have none); userId is optional
// and derived from the ARN as STS would shape it.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/util/result.hpp"

namespace aia::bench {

struct EmulatedIdentity {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;
    std::string arn;
    std::string account;
    std::string user_id;
};

class Identities {
public:
    static Result<Identities, std::string> parse(std::string_view json_text);

    const EmulatedIdentity* find(std::string_view access_key_id) const;
    std::size_t size() const noexcept { return by_key_.size(); }

private:
    std::unordered_map<std::string, EmulatedIdentity> by_key_;
};

}  // namespace aia::bench
