#pragma once
// What `token` prints for kubectl: an ExecCredential
// (client.authentication.k8s.io), as kubectl's exec credential plugins do.

#include <string>
#include <string_view>

#include "core/util/amz_time.hpp"
#include "core/util/result.hpp"

namespace aia::client {

inline constexpr std::string_view kDefaultExecApiVersion = "client.authentication.k8s.io/v1beta1";

// The apiVersion to answer in, from kubectl's KUBERNETES_EXEC_INFO (empty:
// not run by kubectl, or an old one): v1beta1 by default (also when the
// variable is not JSON, as upstream), or the v1alpha1, v1beta1 or v1 it asks
// for. A version we do not know is an error, not an answer kubectl would
// refuse anyway.
Result<std::string, std::string> exec_api_version(std::string_view exec_info);

// One line of JSON, in upstream's field order:
// {"kind":"ExecCredential","apiVersion":...,"spec":{"interactive":false},
//  "status":{"expirationTimestamp":"...Z","token":"..."}}
std::string render_exec_credential(std::string_view api_version, std::string_view token, amz_time::Seconds expiration);

}  // namespace aia::client
