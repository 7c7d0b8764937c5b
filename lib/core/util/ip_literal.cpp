#include "core/util/ip_literal.hpp"

#include <cctype>

#include "core/util/split.hpp"

namespace aia {
namespace {

bool is_hex_group(std::string_view group) {
    if (group.empty() || group.size() > 4) return false;
    for (const char c : group) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

// Groups of one side of "::" (or of the whole address): hex groups, the
// last of which may be an IPv4 address (worth two groups). -1 if malformed.
int count_groups(std::string_view side, bool may_end_in_ipv4) {
    if (side.empty()) return 0;
    int groups = 0;
    const auto parts = split(side, ':');
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (is_hex_group(parts[i])) {
            groups += 1;
        } else if (may_end_in_ipv4 && i + 1 == parts.size() && is_ipv4_literal(parts[i])) {
            groups += 2;
        } else {
            return -1;
        }
    }
    return groups;
}

}  // namespace

bool is_ipv4_literal(std::string_view text) {
    const auto parts = split(text, '.');
    if (parts.size() != 4) return false;
    for (const std::string_view part : parts) {
        if (part.empty() || part.size() > 3 || (part.size() > 1 && part.front() == '0')) return false;
        unsigned value = 0;
        for (const char c : part) {
            if (c < '0' || c > '9') return false;
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value > 255) return false;
    }
    return true;
}

bool is_ipv6_literal(std::string_view text) {
    const std::size_t gap = text.find("::");
    if (gap == std::string_view::npos) return count_groups(text, true) == 8;
    if (text.find("::", gap + 1) != std::string_view::npos) return false;
    const int before = count_groups(text.substr(0, gap), false);
    const int after = count_groups(text.substr(gap + 2), true);
    return before >= 0 && after >= 0 && before + after <= 7;
}

}  // namespace aia
