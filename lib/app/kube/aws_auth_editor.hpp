#pragma once
// The read-modify-write of `add user` / `add role` against the API: GET
// kube-system/aws-auth, edit one data key (core/kube/aws_auth_edit), PUT it
// back with the resourceVersion that was read. A 409 Conflict means someone
// changed it in between: read again and redo the edit, at most five
// attempts in all (client-go's retry.DefaultRetry, as upstream), so a
// concurrent edit is never overwritten.
//
// aws-auth is never created: a missing one is an error, as upstream.

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "app/kube/kube_client.hpp"
#include "core/kube/aws_auth_edit.hpp"
#include "core/util/result.hpp"

namespace aia::app {

struct AwsAuthEditOptions {
    int max_attempts = 5;
    std::chrono::milliseconds retry_delay{10};
};

struct AwsAuthEdited {
    nlohmann::json object;  // the ConfigMap as the PUT answered it
    int attempts = 0;
};

net::awaitable<Result<AwsAuthEdited, std::string>> add_aws_auth_mapping(KubeClient& client,
                                                                        const kube::NewMapping& mapping,
                                                                        const AwsAuthEditOptions& options);

}  // namespace aia::app
