// The `add` commands' blocking runner, in a file of its own (see
// verify_token_blocking.cpp: g++ 12 misreports new/delete when a blocking
// runner shares a translation unit with the coroutines it runs).
#include "app/kube/add_aws_auth_mapping.hpp"

#include "app/kube/aws_auth_editor.hpp"
#include "net/run_blocking.hpp"

namespace aia::app {

Result<nlohmann::json, std::string> add_aws_auth_mapping_blocking(const kube::ClientConfig& config,
                                                                  const kube::NewMapping& mapping) {
    net::asio::io_context io;
    auto client = KubeClient::create(io, config);
    if (!client) return fail(client.error());
    auto edited = net::run_blocking(io, add_aws_auth_mapping(**client, mapping, AwsAuthEditOptions{}));
    io.stop();
    if (!edited) return fail(edited.error());
    return std::move(edited->object);
}

}  // namespace aia::app
