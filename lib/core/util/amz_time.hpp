#pragma once
// The timestamp formats of SigV4 and of the messages we print.
//
// Pure calendar arithmetic on std::chrono::sys_seconds (UTC, no time zones,
// no clock reads): callers always pass the time in.

#include <chrono>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace aia::amz_time {

using Seconds = std::chrono::sys_seconds;

// Parses SigV4's ISO 8601 basic format, "YYYYMMDDTHHMMSSZ" (X-Amz-Date).
// Rejects anything else, including impossible dates such as 20230230.
// The error is a short reason suitable for an operator-facing message.
Result<Seconds, std::string> parse_amz_date(std::string_view text);

// "20150830T123600Z"
std::string format_amz_date(Seconds t);

// "20150830": the date part of a credential scope.
std::string format_date_stamp(Seconds t);

// "2015-08-30T12:36:00Z": RFC 3339, as Kubernetes and the AWS JSON APIs write it.
std::string format_rfc3339(Seconds t);

// RFC 3339 in UTC as AWS writes credential expirations: "2015-08-30T12:36:00Z",
// with optional fractional seconds ("...:00.123Z") or a "+00:00" offset.
// Fractions are dropped (expiry is refreshed minutes early anyway).
Result<Seconds, std::string> parse_rfc3339(std::string_view text);

// "2015-08-30 12:36:00 +0000 UTC": Go's default time formatting, kept for
// error messages operators may already grep for.
std::string format_go_utc(Seconds t);

}  // namespace aia::amz_time
