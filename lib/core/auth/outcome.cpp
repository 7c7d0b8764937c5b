#include "core/auth/outcome.hpp"

namespace aia::auth {

unsigned http_status(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::Success:
            return 200;
        case Outcome::MalformedRequest:
            return 400;
        case Outcome::StsThrottling:
            return 429;
        case Outcome::InvalidToken:
        case Outcome::StsError:
        case Outcome::UnknownUser:
            return 403;
    }
    return 403;
}

std::string_view metric_label(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::Success:
            return "success";
        case Outcome::MalformedRequest:
            return "malformed_request";
        case Outcome::InvalidToken:
            return "invalid_token";
        case Outcome::StsError:
            return "sts_error";
        case Outcome::StsThrottling:
            return "sts_throttling";
        case Outcome::UnknownUser:
            return "uknown_user";
    }
    return "unknown";
}

}  // namespace aia::auth
