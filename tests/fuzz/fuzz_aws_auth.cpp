// libFuzzer target: the aws-auth ConfigMap (a manifest file, or the
// mapRoles/mapUsers/mapAccounts YAML strings of a mounted volume).
// The parsed entries then build a mapping table, as the server does.
// Properties beyond "no crash, no UB": a refusal names where and what; the
// table never holds more role entries than were written with an ARN or an
// SSO matcher (the others are refused, each with a problem line).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/mapping/aws_auth.hpp"
#include "core/mapping/mapping_table.hpp"

namespace {

void check(const aia::Result<aia::mapping::AwsAuthContent, aia::mapping::AwsAuthError>& parsed) {
    if (!parsed) {
        if (parsed.error().where.empty() || parsed.error().what.empty()) std::abort();
        return;
    }
    std::size_t usable_roles = 0;
    for (const auto& role : parsed->config.roles) usable_roles += (!role.arn.empty() || role.sso) ? 1 : 0;
    const std::size_t unusable = parsed->config.roles.size() - usable_roles;
    std::vector<std::string> problems;
    const auto table = aia::mapping::MappingTable::build(parsed->config, {}, problems);
    if (table.role_count() > usable_roles || problems.size() < unusable) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto manifest = aia::mapping::parse_config_map_manifest(text)) {
        check(aia::mapping::parse_aws_auth_data(*manifest));
    } else if (manifest.error().what.empty()) {
        std::abort();
    }
    // The same bytes as each key of a mounted volume.
    for (const char* key : {"mapRoles", "mapUsers", "mapAccounts"}) {
        check(aia::mapping::parse_aws_auth_data({{key, std::string(text)}}));
    }
    return 0;
}
