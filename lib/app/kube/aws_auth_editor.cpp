#include "app/kube/aws_auth_editor.hpp"

#include <boost/asio/steady_timer.hpp>

#include "core/kube/api_paths.hpp"
#include "core/kube/aws_auth_object.hpp"
#include "core/kube/watch_events.hpp"
#include "core/util/json_depth.hpp"

namespace aia::app {
namespace {

using nlohmann::json;

constexpr int kMaxJsonDepth = 64;

// What an answer that is not a success says: the API's Status message when
// it sent one (`configmaps "aws-auth" not found`), else the HTTP facts.
std::string failure(const net::ClientResponse& response, std::string_view what) {
    if (response.kind != net::ClientResponse::Kind::Answered)
        return std::string(what) + ": the Kubernetes API did not answer: " + response.error;
    if (auto status = kube::parse_status(response.body); status && !status->message.empty()) return status->message;
    return std::string(what) + ": the Kubernetes API answered HTTP " + std::to_string(response.status);
}

bool is_conflict(const net::ClientResponse& response) {
    return response.kind == net::ClientResponse::Kind::Answered && response.status == 409;
}

Result<json, std::string> object_of(const net::ClientResponse& response, std::string_view what) {
    if (!json_depth::within(response.body, kMaxJsonDepth))
        return fail(std::string(what) + ": the answer nests too deeply");
    json object = json::parse(response.body, nullptr, false);
    if (object.is_discarded() || !object.is_object()) return fail(std::string(what) + ": the answer is not a JSON object");
    return object;
}

}  // namespace

net::awaitable<Result<AwsAuthEdited, std::string>> add_aws_auth_mapping(KubeClient& client,
                                                                        const kube::NewMapping& mapping,
                                                                        const AwsAuthEditOptions& options) {
    const std::string path = kube::config_map_path(kube::kAwsAuthNamespace, kube::kAwsAuthName);
    std::string last_conflict;
    for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
        if (attempt > 1) {
            net::asio::steady_timer timer(co_await net::asio::this_coro::executor, options.retry_delay);
            boost::system::error_code ec;
            co_await timer.async_wait(net::asio::redirect_error(net::use_awaitable, ec));
        }
        const net::ClientResponse got = co_await client.request("GET", path);
        if (got.kind != net::ClientResponse::Kind::Answered || got.status != 200)
            co_return fail(failure(got, "get configmap aws-auth"));
        auto current = object_of(got, "get configmap aws-auth");
        if (!current) co_return fail(current.error());

        // The edit is redone on what was just read, so a concurrent change is kept.
        auto updated = kube::add_to_object(*current, mapping);
        if (!updated) co_return fail(updated.error());

        const net::ClientResponse put = co_await client.request("PUT", path, updated->dump());
        if (is_conflict(put)) {
            last_conflict = failure(put, "update configmap aws-auth");
            continue;
        }
        if (put.kind != net::ClientResponse::Kind::Answered || put.status != 200)
            co_return fail(failure(put, "update configmap aws-auth"));
        auto stored = object_of(put, "update configmap aws-auth");
        if (!stored) co_return fail(stored.error());
        co_return AwsAuthEdited{std::move(stored).value(), attempt};
    }
    co_return fail(last_conflict);
}

}  // namespace aia::app
