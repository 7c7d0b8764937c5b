#pragma once
// What the API sources' objects mean as mappings, for the server's watchers
// and for `explain` alike:
//   EKSConfigMap  the aws-auth ConfigMap's data (none: no mappings);
//   CRD           IAMIdentityMappings keyed by status.canonicalARN, as upstream.

#include <string>

#include "app/kube/resource_watcher.hpp"
#include "app/mapping_sources.hpp"
#include "core/util/result.hpp"

namespace aia::app {

// An error when aws-auth's data does not parse; `present` says whether it exists.
Result<SourceContent, std::string> aws_auth_content(const KubeObjects& objects, bool& present);

// Objects that do not parse, or have no status yet, are warnings.
SourceContent identity_mapping_content(const KubeObjects& objects);

}  // namespace aia::app
