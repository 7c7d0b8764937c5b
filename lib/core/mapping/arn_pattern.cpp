#include "core/mapping/arn_pattern.hpp"

#include "core/aws/partition.hpp"
#include "core/util/ascii.hpp"
#include "core/util/quote.hpp"

namespace aia::mapping {
namespace {

// "arn:p:s:r:a:resource" -> six sections; the resource keeps any ':'.
bool split_sections(std::string_view text, std::array<std::string, 6>& out) {
    for (std::size_t i = 0; i < 5; ++i) {
        const std::size_t colon = text.find(':');
        if (colon == std::string_view::npos) return false;
        out[i] = ascii::to_lower(text.substr(0, colon));
        text.remove_prefix(colon + 1);
    }
    out[5] = ascii::to_lower(text);
    return true;
}

}  // namespace

bool ArnPattern::is_pattern(std::string_view text) { return text.find_first_of("*?") != std::string_view::npos; }

Result<ArnPattern, std::string> ArnPattern::parse(std::string_view text, PatternKind kind) {
    ArnPattern pattern;
    pattern.text_ = std::string(text);
    const auto refuse = [&](std::string_view why) {
        return fail("ARN pattern " + quote(text, 256) + " " + std::string(why));
    };
    if (!split_sections(text, pattern.sections_) || pattern.sections_[0] != "arn") {
        return refuse("is not arn:<partition>:iam::<account>:<role or user>/<name>");
    }
    for (char c : text) {
        if (!ascii::is_graphic(c)) return refuse("contains a space or control character");
    }
    const auto& [arn, partition, service, region, account, resource] = pattern.sections_;
    for (std::string_view literal : {partition, service, region, account}) {
        if (is_pattern(literal)) {
            return refuse(
                "has a wildcard outside the role or user name: partition, service and account must be "
                "written out, so that a pattern never matches another account by accident");
        }
    }
    if (aws::find_partition(partition) == nullptr) return refuse("names no partition (" + quote(partition) + ")");
    if (service != "iam" || !region.empty()) return refuse("is not an IAM ARN (arn:<partition>:iam::<account>:...)");
    if (account.size() != 12 || !ascii::all_of_digits(account)) {
        return refuse("does not name a 12-digit account ID");
    }
    const std::string_view type = kind == PatternKind::Role ? "role/" : "user/";
    if (!resource.starts_with(type) || resource.size() == type.size()) {
        return refuse(kind == PatternKind::Role
                          ? "in mapRoles must name roles: arn:<partition>:iam::<account>:role/<name>"
                          : "in mapUsers must name users: arn:<partition>:iam::<account>:user/<name>");
    }
    pattern.literal_prefix_ = std::min(text.find_first_of("*?"), text.size());
    return pattern;
}

bool ArnPattern::matches(std::string_view arn) const {
    std::array<std::string, 6> sections;
    if (!split_sections(arn, sections)) return false;
    for (std::size_t i = 0; i < sections.size(); ++i) {
        if (!glob_matches(sections_[i], sections[i])) return false;
    }
    return true;
}

bool glob_matches(std::string_view pattern, std::string_view text) {
    // Iterative matching with one backtrack point: linear in practice, and
    // never exponential whatever the pattern (no recursion on '*').
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, star_text = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_text = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++star_text;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace aia::mapping
