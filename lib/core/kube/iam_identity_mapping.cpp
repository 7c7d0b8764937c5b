#include "core/kube/iam_identity_mapping.hpp"

#include <iterator>
#include <tuple>

#include "core/arn/arn.hpp"
#include "core/util/ascii.hpp"

namespace aia::kube {
namespace {

using nlohmann::json;

// object[key] as an object; null when absent.
Result<const json*, std::string> child_object(const json& object, const char* key) {
    const auto node = object.find(key);
    if (node == object.end() || node->is_null()) return static_cast<const json*>(nullptr);
    if (!node->is_object()) return fail(std::string(key) + " is not an object");
    return &*node;
}

Result<std::string, std::string> string_member(const json* object, const char* key, const char* where) {
    if (object == nullptr) return std::string{};
    const auto node = object->find(key);
    if (node == object->end() || node->is_null()) return std::string{};
    if (!node->is_string()) return fail(std::string(where) + "." + key + " is not a string");
    return node->get<std::string>();
}

Result<std::vector<std::string>, std::string> groups_of(const json* spec) {
    std::vector<std::string> groups;
    if (spec == nullptr) return groups;
    const auto node = spec->find("groups");
    if (node == spec->end() || node->is_null()) return groups;
    if (!node->is_array()) return fail(std::string("spec.groups is not a list"));
    for (const json& group : *node) {
        if (!group.is_string()) return fail(std::string("spec.groups holds a non-string"));
        groups.push_back(group.get<std::string>());
    }
    return groups;
}

struct Parts {
    const json* metadata;
    const json* spec;
    const json* status;
};

Result<Parts, std::string> parts_of(const json& object) {
    if (!object.is_object()) return fail(std::string("IAMIdentityMapping is not an object"));
    auto metadata = child_object(object, "metadata");
    if (!metadata) return fail(metadata.error());
    auto spec = child_object(object, "spec");
    if (!spec) return fail(spec.error());
    auto status = child_object(object, "status");
    if (!status) return fail(status.error());
    return Parts{*metadata, *spec, *status};
}

}  // namespace

Result<IdentityMapping, std::string> parse_identity_mapping(const json& object) {
    auto parts = parts_of(object);
    if (!parts) return fail(parts.error());
    IdentityMapping out;
    std::string* const fields[] = {&out.name, &out.resource_version, &out.arn, &out.username, &out.canonical_arn};
    const std::tuple<const json*, const char*, const char*> sources[] = {
        {parts->metadata, "name", "metadata"},
        {parts->metadata, "resourceVersion", "metadata"},
        {parts->spec, "arn", "spec"},
        {parts->spec, "username", "spec"},
        {parts->status, "canonicalARN", "status"}};
    for (std::size_t i = 0; i < std::size(fields); ++i) {
        auto value = string_member(std::get<0>(sources[i]), std::get<1>(sources[i]), std::get<2>(sources[i]));
        if (!value) return fail(value.error());
        *fields[i] = std::move(value).value();
    }
    if (out.name.empty()) return fail(std::string("IAMIdentityMapping has no metadata.name"));
    auto groups = groups_of(parts->spec);
    if (!groups) return fail("IAMIdentityMapping " + out.name + ": " + groups.error());
    out.groups = std::move(groups).value();
    return out;
}

Result<std::string, std::string> status_canonical_arn(std::string_view spec_arn) {
    auto canonical = arn::canonicalize(ascii::to_lower(spec_arn));
    if (!canonical) return fail(canonical.error());
    return ascii::to_lower(canonical->arn);
}

mapping::MappingConfig identity_mappings_to_config(const std::vector<IdentityMapping>& objects,
                                                   std::vector<std::string>& warnings) {
    mapping::MappingConfig config;
    for (const IdentityMapping& object : objects) {
        const std::string origin = "IAMIdentityMapping/" + object.name;
        if (object.canonical_arn.empty()) {
            warnings.push_back(origin + ": no status.canonicalARN yet; maps nobody until the controller writes it");
            continue;
        }
        // Status is writable by anyone allowed to: re-check it names a principal, not a pattern.
        auto canonical = arn::canonicalize(ascii::to_lower(object.canonical_arn));
        if (!canonical) {
            warnings.push_back(origin + ": status.canonicalARN: " + canonical.error() + "; ignored");
            continue;
        }
        if (ascii::to_lower(canonical->arn) != ascii::to_lower(object.canonical_arn)) {
            warnings.push_back(origin + ": status.canonicalARN is not a canonical ARN; maps nobody");
            continue;
        }
        mapping::MappingEntry entry;
        entry.arn = ascii::to_lower(object.canonical_arn);
        entry.username = object.username;
        entry.groups = object.groups;
        entry.origin = origin;
        (canonical->type == arn::PrincipalType::Role ? config.roles : config.users).push_back(std::move(entry));
    }
    return config;
}

}  // namespace aia::kube
