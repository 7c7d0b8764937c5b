#pragma once
// Splitting text on a separator, keeping empty fields (so "a..b" has three
// and callers can refuse the empty one).

#include <string_view>
#include <vector>

namespace aia {

// "a/b/c" -> {"a", "b", "c"}; "" -> {""}. The views point into `text`.
std::vector<std::string_view> split(std::string_view text, char separator);

}  // namespace aia
