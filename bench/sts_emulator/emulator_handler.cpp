#include "sts_emulator/emulator_handler.hpp"

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "core/sigv4/signature_verifier.hpp"
#include "core/url/query_string.hpp"
#include "core/util/ascii.hpp"

namespace aia::bench {
namespace {

constexpr std::string_view kXmlNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

bool wants_json(const net::HttpRequest& request) {
    return request.header("Accept").find("application/json") != std::string_view::npos;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string request_id(std::mt19937_64& random) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) id += '-';
        id += kHex[random() % 16];
    }
    return id;
}

net::HttpResponse error_response(const net::HttpRequest& request, unsigned status, std::string_view code,
                                 std::string_view message, std::string_view id) {
    const std::string_view type = status >= 500 ? "Receiver" : "Sender";
    net::HttpResponse response;
    response.status = status;
    if (wants_json(request)) {
        response.content_type = "application/json";
        response.body = nlohmann::json{{"Error", {{"Code", code}, {"Message", message}, {"Type", type}}}, {"RequestId", id}}.dump();
    } else {
        response.content_type = "text/xml";
        response.body = "<ErrorResponse xmlns=\"" + std::string(kXmlNamespace) + "\"><Error><Type>" + std::string(type) +
                        "</Type><Code>" + xml_escape(code) + "</Code><Message>" + xml_escape(message) +
                        "</Message></Error><RequestId>" + std::string(id) + "</RequestId></ErrorResponse>";
    }
    return response;
}

net::HttpResponse identity_response(const net::HttpRequest& request, const EmulatedIdentity& identity, std::string_view id) {
    net::HttpResponse response;
    if (wants_json(request)) {
        response.content_type = "application/json";
        response.body = nlohmann::json{{"GetCallerIdentityResponse",
                                        {{"GetCallerIdentityResult",
                                          {{"Account", identity.account}, {"Arn", identity.arn}, {"UserId", identity.user_id}}},
                                         {"ResponseMetadata", {{"RequestId", id}}}}}}
                            .dump();
    } else {
        response.content_type = "text/xml";
        response.body = "<GetCallerIdentityResponse xmlns=\"" + std::string(kXmlNamespace) +
                        "\"><GetCallerIdentityResult><Arn>" + xml_escape(identity.arn) + "</Arn><UserId>" +
                        xml_escape(identity.user_id) + "</UserId><Account>" + identity.account +
                        "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>" + std::string(id) +
                        "</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
    }
    return response;
}

// The region an STS host name serves: us-east-1 for the global endpoint,
// the second label otherwise; nothing for a host that is not STS-shaped.
// A port (the override case in tests) is ignored.
std::optional<std::string> region_of_host(std::string_view host) {
    if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
        host = host.substr(0, colon);
    }
    if (host == "sts.amazonaws.com") return "us-east-1";
    const std::size_t first = host.find('.');
    if (first == std::string_view::npos) return std::nullopt;
    const std::string_view service = host.substr(0, first);
    const std::size_t second = host.find('.', first + 1);
    if ((service != "sts" && service != "sts-fips") || second == std::string_view::npos) return std::nullopt;
    return std::string(host.substr(first + 1, second - first - 1));
}

amz_time::Seconds wall_clock_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace

EmulatorHandler::EmulatorHandler(net::asio::io_context& io, const Identities& identities, const EmulatorBehaviour& behaviour,
                                 EmulatorCounters& counters, std::function<std::uint64_t()> connections_accepted)
    : io_(io),
      identities_(identities),
      behaviour_(behaviour),
      counters_(counters),
      connections_accepted_(std::move(connections_accepted)),
      random_(std::random_device{}()) {}

net::awaitable<net::HttpResponse> EmulatorHandler::handle(net::HttpRequest request) {
    if (request.path() == "/_emulator/stats") {
        net::HttpResponse response;
        response.content_type = "application/json";
        response.body = nlohmann::json{{"requests", counters_.requests.load()},
                                       {"succeeded", counters_.succeeded.load()},
                                       {"refused", counters_.refused.load()},
                                       {"injected_failures", counters_.injected_failures.load()},
                                       {"connections", connections_accepted_()}}
                            .dump();
        co_return response;
    }

    counters_.requests.fetch_add(1);
    auto delay = behaviour_.latency;
    if (behaviour_.jitter.count() > 0) {
        delay += std::chrono::milliseconds(static_cast<long long>(random_() % static_cast<std::uint64_t>(behaviour_.jitter.count() + 1)));
    }
    if (delay.count() > 0) {
        net::asio::steady_timer timer(io_, delay);
        co_await timer.async_wait(net::use_awaitable);
    }
    co_return answer_sts(request);
}

net::HttpResponse EmulatorHandler::answer_sts(const net::HttpRequest& request) {
    const std::string id = request_id(random_);
    if (behaviour_.failure_rate > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < behaviour_.failure_rate) {
        counters_.injected_failures.fetch_add(1);
        return behaviour_.failure == EmulatorBehaviour::Failure::Throttle
                   ? error_response(request, 400, "Throttling", "Rate exceeded", id)
                   : error_response(request, 500, "InternalFailure", "The request processing has failed.", id);
    }
    const auto refuse = [&](unsigned status, std::string_view code, std::string_view message) {
        counters_.refused.fetch_add(1);
        return error_response(request, status, code, message, id);
    };

    if (request.method != "GET" || request.path() != "/") {
        return refuse(400, "InvalidAction", "Only presigned GET / requests are emulated.");
    }
    const std::string_view target = request.target;
    const std::size_t question = target.find('?');
    const std::string_view raw_query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    auto params = url::parse_query_strict(raw_query);
    if (!params) return refuse(400, "MalformedQueryString", params.error());
    const auto value_of = [&](std::string_view name) -> std::string_view {
        for (const auto& param : *params) {
            if (param.key == name) return param.value;
        }
        return {};
    };
    if (value_of("Action") != "GetCallerIdentity") {
        return refuse(400, "InvalidAction", "Could not find operation " + std::string(value_of("Action")) + " for version " +
                                                std::string(value_of("Version")));
    }
    if (value_of("Version") != "2011-06-15") return refuse(400, "InvalidAction", "Unsupported Version");

    std::vector<sigv4::Header> headers;
    for (const auto& [name, value] : request.headers) headers.push_back({name, value});
    // STS only ever sees its own host names in Host; the signature covers it.
    const std::optional<std::string> region = region_of_host(request.header("Host"));
    if (!region) return refuse(400, "InvalidHost", "Host is not an STS endpoint.");
    const sigv4::CredentialLookup lookup = [this](std::string_view key) -> std::optional<sigv4::KnownCredentials> {
        const EmulatedIdentity* identity = identities_.find(key);
        if (identity == nullptr) return std::nullopt;
        return sigv4::KnownCredentials{identity->secret_access_key, identity->session_token};
    };
    const auto verified = sigv4::verify_presigned(
        {"GET", "/", raw_query, &headers, "sts", std::optional<std::string_view>(*region), wall_clock_now()},
        lookup);
    if (!verified) return refuse(verified.error().http_status, verified.error().code, verified.error().message);

    counters_.succeeded.fetch_add(1);
    return identity_response(request, *identities_.find(verified->access_key_id), id);
}

}  // namespace aia::bench
