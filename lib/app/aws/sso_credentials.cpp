#include "app/aws/sso_credentials.hpp"

#include <nlohmann/json.hpp>

#include "app/file_reading.hpp"
#include "app/wall_clock.hpp"
#include "core/aws/sso_documents.hpp"
#include "core/util/json_depth.hpp"
#include "core/util/percent_encoding.hpp"

namespace aia::app {
namespace {

// "HTTP 401 UnauthorizedException: Session token not found or invalid", from
// the portal's {"message": ..., "__type": "...#UnauthorizedException"}.
std::string describe_portal_failure(const net::ClientResponse& response) {
    if (response.kind != net::ClientResponse::Kind::Answered) return response.error;
    std::string out = "HTTP " + std::to_string(response.status);
    if (!json_depth::within(response.body, 4)) return out;
    const auto json = nlohmann::json::parse(response.body, nullptr, false);
    if (json.is_discarded() || !json.is_object()) return out;
    const auto type = json.find("__type");
    if (type != json.end() && type->is_string()) {
        const std::string text = type->get<std::string>();
        out += " " + text.substr(text.rfind('#') + 1);
    }
    for (const char* key : {"message", "Message"}) {
        const auto message = json.find(key);
        if (message != json.end() && message->is_string()) return out + ": " + message->get<std::string>();
    }
    return out;
}

class SsoProvider : public CredentialProvider {
public:
    SsoProvider(ProviderContext context, aws::SsoSettings settings, std::string profile_name)
        : context_(std::move(context)), settings_(std::move(settings)), profile_(std::move(profile_name)) {}
    std::string_view name() const override { return "sso"; }

    net::awaitable<CredentialsResult> fetch() override {
        auto token = cached_sign_in();
        if (!token) co_return fail(std::move(token).error());
        auto endpoint = sso_portal_endpoint(context_.environment, settings_.region);
        if (!endpoint) co_return fail("profile " + profile_ + ": " + endpoint.error());
        net::ClientRequest request = portal_request(*endpoint, *token);
        const net::ClientResponse response =
            co_await context_.http.send(endpoint->endpoint, std::move(request), context_.timeout);
        if (response.kind == net::ClientResponse::Kind::Answered &&
            (response.status == 401 || response.status == 403)) {
            co_return fail("profile " + profile_ + ": the SSO portal refused role " + settings_.role_name +
                           " in account " + settings_.account_id + " (" + describe_portal_failure(response) +
                           "); run `aws sso login --profile " + profile_ + "` and retry");
        }
        if (response.kind != net::ClientResponse::Kind::Answered || response.status != 200) {
            co_return fail("profile " + profile_ +
                           ": SSO GetRoleCredentials failed: " + describe_portal_failure(response));
        }
        auto credentials = aws::parse_sso_role_credentials(response.body);
        if (!credentials) co_return fail("profile " + profile_ + ": " + credentials.error());
        credentials->source = "sso";
        co_return std::move(credentials).value();
    }

private:
    std::string login_advice() const { return "; run `aws sso login --profile " + profile_ + "`"; }

    // The CLI's cached sign-in, if it is there and still good.
    Result<std::string, std::string> cached_sign_in() const {
        const std::string signed_in_to =
            settings_.session_name.empty() ? settings_.start_url : "sso-session " + settings_.session_name;
        const std::string path =
            context_.environment.get("HOME") + "/.aws/sso/cache/" + aws::sso_cache_file_name(settings_);
        auto text = read_file(path, kMaxSmallFileBytes);
        if (!text) {
            return fail("profile " + profile_ + ": no cached SSO sign-in for " + signed_in_to + " (" +
                        text.error().message + ")" + login_advice());
        }
        auto token = aws::parse_sso_cached_token(*text);
        if (!token) return fail("profile " + profile_ + ": " + path + ": " + token.error() + login_advice());
        if (aws::sso_token_expired(*token, wall_clock_now())) {
            return fail("profile " + profile_ + ": the SSO sign-in for " + signed_in_to + " expired at " +
                        amz_time::format_rfc3339(token->expires_at) + login_advice());
        }
        return std::move(token->access_token);
    }

    net::ClientRequest portal_request(const UrlEndpoint& endpoint, const std::string& token) const {
        std::string path = endpoint.path;
        if (path.ends_with('/')) path.pop_back();
        path += "/federation/credentials?account_id=" + percent::encode_sigv4(settings_.account_id) +
                "&role_name=" + percent::encode_sigv4(settings_.role_name);
        return net::ClientRequest{
            "GET",
            std::move(path),
            {{"Host", endpoint.host_header}, {"Accept", "application/json"}, {"x-amz-sso_bearer_token", token}},
            {}};
    }

    ProviderContext context_;
    aws::SsoSettings settings_;
    std::string profile_;
};

}  // namespace

std::unique_ptr<CredentialProvider> make_sso_provider(const ProviderContext& context, aws::SsoSettings settings,
                                                      std::string profile_name) {
    return std::make_unique<SsoProvider>(context, std::move(settings), std::move(profile_name));
}

}  // namespace aia::app
