#include "core/client/credential_cache_file.hpp"

#include <yaml-cpp/yaml.h>

namespace aia::client {
namespace {

constexpr std::size_t kMaxCacheBytes = 1024 * 1024;

std::optional<aws::AwsCredentials> read_entry(const YAML::Node& node) {
    if (!node.IsMap()) return std::nullopt;
    const auto text = [&node](const char* key) -> std::string {
        const YAML::Node value = node[key];
        return value && value.IsScalar() ? value.Scalar() : std::string{};
    };
    aws::AwsCredentials credentials;
    credentials.keys.access_key_id = text("accesskeyid");
    credentials.keys.secret_access_key = text("secretaccesskey");
    credentials.keys.session_token = text("sessiontoken");
    credentials.source = text("source");
    if (credentials.keys.access_key_id.empty() || credentials.keys.secret_access_key.empty()) return std::nullopt;
    if (text("canexpire") != "true") return std::nullopt;
    const auto expires = amz_time::parse_rfc3339(text("expires"));
    if (!expires) return std::nullopt;
    credentials.expiration = *expires;
    return credentials;
}

}  // namespace

Result<CredentialCacheFile, std::string> CredentialCacheFile::parse(std::string_view yaml) {
    CredentialCacheFile cache;
    if (yaml.size() > kMaxCacheBytes) return fail(std::string("larger than 1 MiB"));
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        return fail("not YAML: " + std::string(e.what()));
    }
    if (!root || root.IsNull()) return cache;
    if (!root.IsMap()) return fail(std::string("not a credential cache (expected a map with \"clusters\")"));
    const YAML::Node clusters = root["clusters"];
    if (!clusters || clusters.IsNull()) return cache;
    if (!clusters.IsMap()) return fail(std::string("\"clusters\" is not a map"));
    try {
        for (const auto& cluster : clusters) {
            if (!cluster.second.IsMap()) continue;
            for (const auto& profile : cluster.second) {
                if (!profile.second.IsMap()) continue;
                for (const auto& role : profile.second) {
                    const std::string role_arn = role.first.IsNull() ? std::string{} : role.first.Scalar();
                    if (auto entry = read_entry(role.second)) {
                        cache.clusters_[cluster.first.Scalar()][profile.first.Scalar()][role_arn] = std::move(*entry);
                    }
                }
            }
        }
    } catch (const YAML::Exception& e) {
        return fail("not a credential cache: " + std::string(e.what()));
    }
    return cache;
}

std::optional<aws::AwsCredentials> CredentialCacheFile::find(const CacheKey& key) const {
    const auto cluster = clusters_.find(key.cluster_id);
    if (cluster == clusters_.end()) return std::nullopt;
    const auto profile = cluster->second.find(key.profile);
    if (profile == cluster->second.end()) return std::nullopt;
    const auto role = profile->second.find(key.role_arn);
    if (role == profile->second.end()) return std::nullopt;
    return role->second;
}

void CredentialCacheFile::put(const CacheKey& key, const aws::AwsCredentials& credentials) {
    if (!credentials.expiration) return;
    clusters_[key.cluster_id][key.profile][key.role_arn] = credentials;
}

std::string CredentialCacheFile::render() const {
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "clusters" << YAML::Value << YAML::BeginMap;
    for (const auto& [cluster_id, profiles] : clusters_) {
        out << YAML::Key << cluster_id << YAML::Value << YAML::BeginMap;
        for (const auto& [profile, roles] : profiles) {
            out << YAML::Key << profile << YAML::Value << YAML::BeginMap;
            for (const auto& [role_arn, credentials] : roles) {
                out << YAML::Key << YAML::DoubleQuoted << role_arn << YAML::Value << YAML::BeginMap;
                out << YAML::Key << "accesskeyid" << YAML::Value << credentials.keys.access_key_id;
                out << YAML::Key << "secretaccesskey" << YAML::Value << credentials.keys.secret_access_key;
                out << YAML::Key << "sessiontoken" << YAML::Value << credentials.keys.session_token;
                out << YAML::Key << "source" << YAML::Value << credentials.source;
                out << YAML::Key << "canexpire" << YAML::Value << true;
                out << YAML::Key << "expires" << YAML::Value << amz_time::format_rfc3339(*credentials.expiration);
                out << YAML::Key << "accountid" << YAML::Value << YAML::DoubleQuoted << "";
                out << YAML::EndMap;
            }
            out << YAML::EndMap;
        }
        out << YAML::EndMap;
    }
    out << YAML::EndMap << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

}  // namespace aia::client
