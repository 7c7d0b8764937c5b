#include "core/token/token_error.hpp"

namespace aia::token {

std::string_view to_string(TokenErrorCode code) noexcept {
    switch (code) {
        case TokenErrorCode::TooLarge:
            return "token_too_large";
        case TokenErrorCode::MissingPrefix:
            return "missing_prefix";
        case TokenErrorCode::InvalidBase64:
            return "invalid_base64";
        case TokenErrorCode::MalformedUrl:
            return "malformed_url";
        case TokenErrorCode::UnexpectedScheme:
            return "unexpected_scheme";
        case TokenErrorCode::UserInfoPresent:
            return "user_info_present";
        case TokenErrorCode::PortPresent:
            return "port_present";
        case TokenErrorCode::UnexpectedHost:
            return "unexpected_host";
        case TokenErrorCode::UnknownRegion:
            return "unknown_region";
        case TokenErrorCode::UnexpectedPath:
            return "unexpected_path";
        case TokenErrorCode::FragmentPresent:
            return "fragment_present";
        case TokenErrorCode::MalformedQuery:
            return "malformed_query";
        case TokenErrorCode::DuplicateParameter:
            return "duplicate_parameter";
        case TokenErrorCode::ParameterNotAllowed:
            return "parameter_not_allowed";
        case TokenErrorCode::MultipleValues:
            return "multiple_values";
        case TokenErrorCode::UnexpectedAction:
            return "unexpected_action";
        case TokenErrorCode::ClusterIdNotSigned:
            return "cluster_id_not_signed";
        case TokenErrorCode::InvalidExpires:
            return "invalid_expires";
        case TokenErrorCode::MissingDate:
            return "missing_date";
        case TokenErrorCode::InvalidDate:
            return "invalid_date";
        case TokenErrorCode::Expired:
            return "expired";
        case TokenErrorCode::NotYetValid:
            return "not_yet_valid";
        case TokenErrorCode::MissingVersion:
            return "missing_version";
        case TokenErrorCode::UnexpectedAlgorithm:
            return "unexpected_algorithm";
        case TokenErrorCode::MalformedCredential:
            return "malformed_credential";
        case TokenErrorCode::CredentialDateMismatch:
            return "credential_date_mismatch";
        case TokenErrorCode::CredentialRegionMismatch:
            return "credential_region_mismatch";
        case TokenErrorCode::MalformedSignedHeaders:
            return "malformed_signed_headers";
        case TokenErrorCode::HostNotSigned:
            return "host_not_signed";
        case TokenErrorCode::EmptySecurityToken:
            return "empty_security_token";
        case TokenErrorCode::MalformedSignature:
            return "malformed_signature";
    }
    return "unknown";
}

std::string TokenError::message() const { return "input token was not properly formatted: " + detail; }

}  // namespace aia::token
