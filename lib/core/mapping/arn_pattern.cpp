#include "core/mapping/arn_pattern.hpp"

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

Result<ArnPattern, std::string> ArnPattern::parse(std::string_view text) {
    ArnPattern pattern;
    pattern.text_ = std::string(text);
    if (!split_sections(text, pattern.sections_) || pattern.sections_[0] != "arn") {
        return fail("ARN pattern " + quote(text, 256) + " is not arn:<partition>:<service>:<region>:<account>:<resource>");
    }
    if (pattern.sections_[1].empty() || pattern.sections_[2].empty() || pattern.sections_[5].empty()) {
        return fail("ARN pattern " + quote(text, 256) + " has an empty partition, service or resource");
    }
    for (char c : text) {
        if (!ascii::is_graphic(c)) return fail("ARN pattern " + quote(text, 256) + " contains a space or control character");
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
