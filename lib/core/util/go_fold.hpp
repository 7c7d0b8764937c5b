#pragma once
// Object keys as Go's encoding/json compares them with struct field names:
// without regard to case, by Unicode simple folding. Upstream reads its JSON
// files that way, so we match keys the same way ("RoleARN" and "rolearn" are
// one field, and so is "uſername" with a long s).

#include <string>
#include <string_view>

namespace aia::go_fold {

// `key` folded: ASCII letters lower-cased, and the two non-ASCII letters
// whose fold class holds an ASCII letter (U+017F LATIN SMALL LETTER LONG S
// folds with s, U+212A KELVIN SIGN with k) turned into it. Other bytes are
// kept: no other character folds to an ASCII one, so two keys that fold
// alike to an ASCII field name fold alike here too.
std::string fold(std::string_view key);

// True when `key` names the field `lower_name` (given in lower-case ASCII).
bool names_field(std::string_view key, std::string_view lower_name);

}  // namespace aia::go_fold
