#include "app/kube/api_source_content.hpp"

#include "core/kube/aws_auth_object.hpp"
#include "core/kube/iam_identity_mapping.hpp"

namespace aia::app {

Result<SourceContent, std::string> aws_auth_content(const KubeObjects& objects, bool& present) {
    const auto it = objects.find(std::string(kube::kAwsAuthName));
    present = it != objects.end();
    if (!present) return SourceContent{};
    auto content = kube::parse_aws_auth_object(it->second);
    if (!content) return fail(content.error().where + ": " + content.error().what);
    return SourceContent{std::move(content->config), std::move(content->warnings)};
}

SourceContent identity_mapping_content(const KubeObjects& objects) {
    SourceContent content;
    std::vector<kube::IdentityMapping> mappings;
    for (const auto& [name, object] : objects) {
        auto mapping = kube::parse_identity_mapping(object);
        if (!mapping) {
            content.warnings.push_back("iamidentitymapping " + name + ": " + mapping.error() + "; ignored");
            continue;
        }
        mappings.push_back(std::move(mapping).value());
    }
    content.config = kube::identity_mappings_to_config(mappings, content.warnings);
    return content;
}

}  // namespace aia::app
