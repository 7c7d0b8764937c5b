#include "core/mapping/templates.hpp"

#include <algorithm>
#include <utility>

#include "core/util/ascii.hpp"

namespace aia::mapping {
namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

bool is_word_char(char c) { return ascii::is_alnum(c) || c == '_'; }

}  // namespace

bool needs_ec2_lookup(std::string_view template_text) {
    return template_text.find(kEc2PrivateDnsName) != std::string_view::npos;
}

std::optional<std::string> unknown_placeholder(std::string_view template_text) {
    static constexpr std::string_view kKnown[] = {"{{AccountID}}", "{{SessionName}}", "{{SessionNameRaw}}",
                                                  "{{AccessKeyID}}", "{{EC2PrivateDNSName}}"};
    for (std::size_t open = template_text.find("{{"); open != std::string_view::npos;
         open = template_text.find("{{", open + 2)) {
        const std::size_t close = template_text.find("}}", open + 2);
        if (close == std::string_view::npos) return std::string(template_text.substr(open));
        const std::string_view placeholder = template_text.substr(open, close + 2 - open);
        if (std::find(std::begin(kKnown), std::end(kKnown), placeholder) == std::end(kKnown)) {
            return std::string(placeholder);
        }
    }
    return std::nullopt;
}

bool is_instance_id(std::string_view session_name) {
    if (!session_name.starts_with("i-")) return false;
    const std::string_view id = session_name.substr(2);
    return (id.size() == 8 || id.size() == 17) && std::all_of(id.begin(), id.end(), is_word_char);
}

Result<std::string, std::string> render(std::string_view template_text, const identity::Identity& identity,
                                        const std::optional<std::string>& private_dns_name) {
    std::string out(template_text);
    // Same order as upstream, so a value that itself looks like a
    // placeholder renders exactly as it would there.
    if (needs_ec2_lookup(out)) {
        if (!is_instance_id(identity.session_name)) return fail("SessionName did not contain an instance id");
        if (!private_dns_name) return fail("no EC2 private DNS name available for " + identity.session_name);
    }
    std::string session_name = identity.session_name;
    std::replace(session_name.begin(), session_name.end(), '@', '-');
    const std::pair<std::string_view, std::string_view> values[] = {
        {kEc2PrivateDnsName, private_dns_name ? std::string_view(*private_dns_name) : std::string_view{}},
        {"{{AccountID}}", identity.account_id},
        {"{{SessionName}}", session_name},
        {"{{SessionNameRaw}}", identity.session_name},
        {"{{AccessKeyID}}", identity.access_key_id},
    };
    for (const auto& [placeholder, value] : values) {
        if (out.find(placeholder) == std::string::npos) continue;
        // "system:node:" for every node with no DNS name would be a
        // shared identity: an empty value never renders.
        if (value.empty()) return fail(std::string(placeholder) + " is empty for this identity");
        replace_all(out, placeholder, value);
    }
    return out;
}

}  // namespace aia::mapping
