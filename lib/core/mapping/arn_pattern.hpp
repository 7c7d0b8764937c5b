#pragma once
// IAM "ArnLike" patterns for mapping entries: one entry for a family of
// roles or users of one account.
//
//   arn:aws:iam::111122223333:role/dev-*      every role whose name starts with dev-
//   arn:aws:iam::111122223333:user/svc-??     svc- plus exactly two characters
//
// '*' (any run of characters) and '?' (exactly one) may appear only in the
// resource's path and name, after a literal "role/" (mapRoles) or "user/"
// (mapUsers). Partition, service and account are literal, so a pattern can
// never reach into another account or partition by accident: patterns such
// as "arn:aws:iam::*:role/ReadOnly" or "arn:aws:iam::111122223333:*" are
// refused. Matching ignores letter case, as mapping ARNs are compared.
// (Upstream has no patterns: it reads '*' and '?' literally.)

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace aia::mapping {

enum class PatternKind {
    Role,  // a mapRoles entry: resource "role/..."
    User,  // a mapUsers entry: resource "user/..."
};

class ArnPattern {
public:
    // Refuses text that is not "arn:<partition>:iam::<12-digit account>:"
    // followed by "role/" or "user/" as `kind` says and the name, and any
    // wildcard outside the path and name.
    static Result<ArnPattern, std::string> parse(std::string_view text, PatternKind kind);

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
