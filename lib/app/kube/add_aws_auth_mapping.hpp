#pragma once
// The `add user` / `add role` commands' entry point: the aws-auth edit of
// app/kube/aws_auth_editor.hpp, run to completion on the calling thread.

#include <string>

#include <nlohmann/json.hpp>

#include "core/kube/aws_auth_edit.hpp"
#include "core/kube/client_config.hpp"
#include "core/util/result.hpp"

namespace aia::app {

// The updated ConfigMap, or what went wrong (the API's own message when it
// gave one: `configmaps "aws-auth" not found`).
Result<nlohmann::json, std::string> add_aws_auth_mapping_blocking(const kube::ClientConfig& config,
                                                                  const kube::NewMapping& mapping);

}  // namespace aia::app
