#pragma once
// IAM "ArnLike" patterns for mapping entries: one entry for a family of
// roles or users.
//
//   arn:aws:iam::111122223333:role/dev-*      every role whose name starts with dev-
//   arn:aws:iam::*:role/ReadOnly              ReadOnly in every account
//   arn:aws:iam::111122223333:user/svc-??     svc- plus exactly two characters
//
// Each of the six ARN sections is matched on its own ('*' any run of
// characters, '?' exactly one; neither crosses a ':' section boundary),
// without regard to letter case, as mapping ARNs are compared. (Upstream's
// ArnLike reads '?' as "zero or one"; IAM means exactly one.)

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace aia::mapping {

class ArnPattern {
public:
    // Refuses text that is not "arn:" + six sections, and empty sections
    // where an ARN cannot have them (partition, service, resource).
    static Result<ArnPattern, std::string> parse(std::string_view text);

    // True when `text` contains '*' or '?'.
    static bool is_pattern(std::string_view text);

    bool matches(std::string_view arn) const;

    // Characters before the first wildcard: the more, the more specific.
    std::size_t literal_prefix_length() const noexcept { return literal_prefix_; }
    const std::string& text() const noexcept { return text_; }
    // The pattern's sections, lower-cased: partition, service, region, account, resource.
    std::string_view section(std::size_t index) const { return sections_[index]; }

private:
    std::string text_;                       // as written
    std::array<std::string, 6> sections_{};  // lower-cased; [0] is "arn"
    std::size_t literal_prefix_ = 0;
};

// Glob match of one section: '*' any run, '?' exactly one character.
bool glob_matches(std::string_view pattern, std::string_view text);

}  // namespace aia::mapping
