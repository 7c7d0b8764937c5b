#include "app/client/token_credentials.hpp"

#include <chrono>

namespace aia::app {

std::string generated_session_name() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return "aws-go-sdk-" + std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

net::awaitable<Result<aws::AwsCredentials, std::string>> token_credentials(const ProviderContext& context,
                                                                           TokenCredentialsOptions options) {
    auto chain = default_credentials(context);
    if (!chain) co_return fail(std::move(chain).error());
    std::shared_ptr<RefreshingCredentials> base = std::move(chain).value();
    if (options.role_arn.empty()) co_return co_await base->get();

    std::string session_name = options.session_name;
    if (options.forward_session_name) {
        auto own = co_await base->get();
        if (!own) co_return fail(std::move(own).error());
        auto caller = co_await get_caller_identity(context, *own);
        if (!caller) co_return fail("--forward-session-name: " + caller.error());
        // "AROA...:alice@example.com" -> "alice@example.com"; other shapes keep the generated name.
        const std::string& user_id = caller->user_id;
        const std::size_t colon = user_id.find(':');
        if (colon != std::string::npos && user_id.find(':', colon + 1) == std::string::npos) {
            session_name = user_id.substr(colon + 1);
        }
    }
    if (session_name.empty()) session_name = generated_session_name();

    auto role = assume_role_credentials(context, std::move(base),
                                        {.role_arn = options.role_arn,
                                         .session_name = std::move(session_name),
                                         .external_id = options.external_id,
                                         .duration = options.role_duration});
    co_return co_await role->get();
}

}  // namespace aia::app
