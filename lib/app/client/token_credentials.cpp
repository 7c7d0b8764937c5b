#include "app/client/token_credentials.hpp"

#include <chrono>

namespace aia::app {

std::string generated_session_name() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return "aws-go-sdk-" + std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

net::awaitable<Result<TokenCredentials, std::string>> token_credentials(
    const ProviderContext& context, TokenCredentialsOptions options,
    std::vector<std::shared_ptr<RefreshingCredentials>>& keep_alive) {
    std::shared_ptr<RefreshingCredentials> chain;
    if (options.cached_base) {
        chain = fixed_credentials(context, *options.cached_base, "cache");
    } else {
        auto from_chain = default_credentials(context);
        if (!from_chain) co_return fail(std::move(from_chain).error());
        chain = std::move(from_chain).value();
    }
    keep_alive.push_back(chain);
    auto base = co_await chain->get();
    if (!base) co_return fail(std::move(base).error());
    if (options.cached_base) base->source = options.cached_base->source;  // keep the original source's name
    if (options.role_arn.empty()) co_return TokenCredentials{*base, *base};

    std::string session_name = options.session_name;
    if (options.forward_session_name) {
        auto caller = co_await get_caller_identity(context, *base);
        if (!caller) co_return fail("--forward-session-name: " + caller.error());
        // "AROA...:alice@example.com" -> "alice@example.com"; other shapes keep the generated name.
        const std::string& user_id = caller->user_id;
        const std::size_t colon = user_id.find(':');
        if (colon != std::string::npos && user_id.find(':', colon + 1) == std::string::npos) {
            session_name = user_id.substr(colon + 1);
        }
    }
    if (session_name.empty()) session_name = generated_session_name();

    auto role = assume_role_credentials(context, chain,
                                        {.role_arn = options.role_arn,
                                         .session_name = std::move(session_name),
                                         .external_id = options.external_id,
                                         .duration = options.role_duration});
    keep_alive.push_back(role);
    auto signing = co_await role->get();
    if (!signing) co_return fail(std::move(signing).error());
    co_return TokenCredentials{*base, *signing};
}

}  // namespace aia::app
