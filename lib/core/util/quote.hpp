#pragma once
// Quoting of untrusted text for error messages and logs.
//
// Token fields are attacker-controlled and percent-decoding can produce any
// byte, newlines included. Quoting escapes everything but printable ASCII and
// caps the length, so a hostile value can neither forge log lines nor flood
// them.

#include <cstddef>
#include <string>
#include <string_view>

namespace aia {

// "\"value\"", with \n, \t, \", \\ and \xNN escapes, cut to `max_bytes` of
// input followed by "..." when longer.
std::string quote(std::string_view text, std::size_t max_bytes = 64);
// The same, appended to `out`.
void append_quoted(std::string& out, std::string_view text, std::size_t max_bytes = 64);

// The cap and the escaping of control and non-ASCII bytes (\n, \xNN), but
// no quotes added or escaped: for text embedded in a longer message (an STS
// error body in a denial reason) that is quoted as a whole later.
std::string sanitize(std::string_view text, std::size_t max_bytes = 64);

}  // namespace aia
