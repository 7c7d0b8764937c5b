#include "sts_emulator/emulator_handler.hpp"

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "app/wall_clock.hpp"
#include "core/arn/arn.hpp"
#include "core/sigv4/signature_verifier.hpp"
#include "core/url/query_string.hpp"
#include "core/util/ascii.hpp"
#include "core/util/split.hpp"

namespace aia::bench {
namespace {

constexpr std::string_view kStsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";
constexpr std::string_view kEc2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

bool wants_json(const net::HttpRequest& request) {
    return request.header("Accept").find("application/json") != std::string_view::npos;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
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

using app::wall_clock_now;

std::vector<sigv4::Header> headers_of(const net::HttpRequest& request) {
    std::vector<sigv4::Header> headers;
    for (const auto& [name, value] : request.headers) headers.push_back({name, value});
    return headers;
}

net::HttpResponse response(unsigned status, std::string content_type, std::string body) {
    return net::HttpResponse::make(status, std::move(body), std::move(content_type));
}

// STS errors: JSON or XML by Accept.
net::HttpResponse sts_error(const net::HttpRequest& request, unsigned status, std::string_view code,
                            std::string_view message, std::string_view id) {
    const std::string_view type = status >= 500 ? "Receiver" : "Sender";
    if (wants_json(request)) {
        return response(
            status, "application/json",
            nlohmann::json{{"Error", {{"Code", code}, {"Message", message}, {"Type", type}}}, {"RequestId", id}}
                .dump());
    }
    return response(status, "text/xml",
                    "<ErrorResponse xmlns=\"" + std::string(kStsNamespace) + "\"><Error><Type>" + std::string(type) +
                        "</Type><Code>" + xml_escape(code) + "</Code><Message>" + xml_escape(message) +
                        "</Message></Error><RequestId>" + std::string(id) + "</RequestId></ErrorResponse>");
}

// EC2 errors: always XML, in EC2's own shape.
net::HttpResponse ec2_error(unsigned status, std::string_view code, std::string_view message, std::string_view id) {
    return response(status, "text/xml;charset=UTF-8",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>" + xml_escape(code) +
                        "</Code><Message>" + xml_escape(message) + "</Message></Error></Errors><RequestID>" +
                        std::string(id) + "</RequestID></Response>");
}

std::string credentials_xml(std::string_view action, const Principal& principal, std::string_view id) {
    return "<" + std::string(action) + "Response xmlns=\"" + std::string(kStsNamespace) + "\"><" + std::string(action) +
           "Result><AssumedRoleUser><Arn>" + xml_escape(principal.arn) + "</Arn><AssumedRoleId>" +
           xml_escape(principal.user_id) + "</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>" +
           principal.access_key_id + "</AccessKeyId><SecretAccessKey>" + xml_escape(principal.secret_access_key) +
           "</SecretAccessKey><SessionToken>" + xml_escape(principal.session_token) + "</SessionToken><Expiration>" +
           amz_time::format_rfc3339(*principal.expiration) + "</Expiration></Credentials></" + std::string(action) +
           "Result><ResponseMetadata><RequestId>" + std::string(id) + "</RequestId></ResponseMetadata></" +
           std::string(action) + "Response>";
}

// The region an STS or EC2 host name serves: us-east-1 for the global STS
// endpoint, the second label otherwise; nothing for another host. A port
// (the override case in tests) is ignored.
std::optional<std::string> region_of_host(std::string_view host, std::string_view service) {
    if (const std::size_t colon = host.rfind(':');
        colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
        host = host.substr(0, colon);
    }
    if (service == "sts" && host == "sts.amazonaws.com") return "us-east-1";
    const std::vector<std::string_view> labels = split(host, '.');
    if (labels.size() < 3) return std::nullopt;
    const bool known = service == "sts" ? labels[0] == "sts" || labels[0] == "sts-fips" : labels[0] == service;
    if (!known) return std::nullopt;
    return std::string(labels[1]);
}

// Form fields of a POST body (application/x-www-form-urlencoded).
std::map<std::string, std::string> form_fields(std::string_view body, std::string& problem) {
    std::map<std::string, std::string> fields;
    std::string decoded_body(body);
    std::replace(decoded_body.begin(), decoded_body.end(), '+', ' ');  // form encoding: '+' is a space
    auto parsed = url::parse_query_strict(decoded_body);
    if (!parsed) {
        problem = parsed.error();
        return fields;
    }
    for (auto& [key, value] : *parsed) fields[key] = value;
    return fields;
}

}  // namespace

void EmulatorCounters::record_ec2_caller(const std::string& arn) {
    std::lock_guard lock(mutex_);
    ec2_callers_.insert(arn);
}

void EmulatorCounters::record_source_arn(const std::string& arn) {
    std::lock_guard lock(mutex_);
    source_arns_.insert(arn);
}

void EmulatorCounters::record_external_id(const std::string& external_id) {
    std::lock_guard lock(mutex_);
    external_ids_.insert(external_id);
}

std::vector<std::string> EmulatorCounters::external_ids() const {
    std::lock_guard lock(mutex_);
    return {external_ids_.begin(), external_ids_.end()};
}

std::vector<std::string> EmulatorCounters::ec2_callers() const {
    std::lock_guard lock(mutex_);
    return {ec2_callers_.begin(), ec2_callers_.end()};
}

std::vector<std::string> EmulatorCounters::source_arns() const {
    std::lock_guard lock(mutex_);
    return {source_arns_.begin(), source_arns_.end()};
}

EmulatorHandler::EmulatorHandler(net::asio::io_context& io, World& world, const EmulatorBehaviour& behaviour,
                                 EmulatorCounters& counters, std::function<std::uint64_t()> connections_accepted)
    : io_(io),
      world_(world),
      behaviour_(behaviour),
      counters_(counters),
      connections_accepted_(std::move(connections_accepted)),
      random_(std::random_device{}()) {}

net::awaitable<net::HttpResponse> EmulatorHandler::handle(net::HttpRequest request) {
    if (request.path() == "/_emulator/stats") {
        nlohmann::json stats = {{"arrived", counters_.arrived.load()},
                                {"requests", counters_.requests.load()},
                                {"succeeded", counters_.succeeded.load()},
                                {"refused", counters_.refused.load()},
                                {"injected_failures", counters_.injected_failures.load()},
                                {"ec2_calls", counters_.ec2_calls.load()},
                                {"ec2_instance_ids", counters_.ec2_instance_ids.load()},
                                {"ec2_throttled", counters_.ec2_throttled.load()},
                                {"assume_role", counters_.assume_role.load()},
                                {"web_identity", counters_.web_identity.load()},
                                {"imds_credentials", counters_.imds_credentials.load()},
                                {"container_credentials", counters_.container_credentials.load()},
                                {"expired_refused", counters_.expired_refused.load()},
                                {"ec2_callers", counters_.ec2_callers()},
                                {"source_arns", counters_.source_arns()},
                                {"external_ids", counters_.external_ids()},
                                {"signed_caller_identity", counters_.signed_caller_identity.load()},
                                {"mfa_assume_role", counters_.mfa_assume_role.load()},
                                {"sso_credentials", counters_.sso_credentials.load()},
                                {"sso_refused", counters_.sso_refused.load()},
                                {"connections", connections_accepted_()}};
        co_return response(200, "application/json", stats.dump());
    }

    counters_.arrived.fetch_add(1);
    auto delay = behaviour_.latency;
    if (behaviour_.jitter.count() > 0) {
        delay += std::chrono::milliseconds(
            static_cast<long long>(random_() % static_cast<std::uint64_t>(behaviour_.jitter.count() + 1)));
    }
    if (delay.count() > 0) {
        net::asio::steady_timer timer(io_, delay);
        co_await timer.async_wait(net::use_awaitable);
    }
    const std::string id = request_id(random_);
    if (request.path() == "/federation/credentials") co_return sso_role_credentials(request);
    if (request.method == "POST" && request.path() == "/") co_return post(request, id);
    co_return get_caller_identity(request, id);
}

// Keys the world knows; `expired` is set when the key asked for was issued
// and has run out (STS's ExpiredToken rather than an unknown key).
sigv4::CredentialLookup EmulatorHandler::credential_lookup(amz_time::Seconds now, bool& expired) const {
    return [this, now, &expired](std::string_view key) -> std::optional<sigv4::KnownCredentials> {
        const auto principal = world_.find(key);
        if (!principal) return std::nullopt;
        if (principal->expiration && now > *principal->expiration) {
            expired = true;
            return std::nullopt;
        }
        return sigv4::KnownCredentials{principal->secret_access_key, principal->session_token};
    };
}

net::HttpResponse EmulatorHandler::get_caller_identity(const net::HttpRequest& request, const std::string& id) {
    counters_.requests.fetch_add(1);
    if (behaviour_.failure_rate > 0 &&
        std::uniform_real_distribution<double>(0, 1)(random_) < behaviour_.failure_rate) {
        counters_.injected_failures.fetch_add(1);
        return behaviour_.failure == EmulatorBehaviour::Failure::Throttle
                   ? sts_error(request, 400, "Throttling", "Rate exceeded", id)
                   : sts_error(request, 500, "InternalFailure", "The request processing has failed.", id);
    }
    const auto refuse = [&](unsigned status, std::string_view code, std::string_view message) {
        counters_.refused.fetch_add(1);
        return sts_error(request, status, code, message, id);
    };

    if (request.method != "GET" || request.path() != "/") {
        return refuse(400, "InvalidAction", "Only GET / (presigned) and POST / requests are emulated.");
    }
    const std::string_view target = request.target;
    const std::size_t question = target.find('?');
    const std::string_view raw_query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    auto params = url::parse_query_strict(raw_query);
    if (!params) return refuse(400, "MalformedQueryString", params.error());
    const auto value_of = [&](std::string_view name) -> std::string_view {
        for (const auto& param : *params) {
            if (param.key == name) return param.value;
        }
        return {};
    };
    if (value_of("Action") != "GetCallerIdentity") {
        return refuse(400, "InvalidAction",
                      "Could not find operation " + std::string(value_of("Action")) + " for version " +
                          std::string(value_of("Version")));
    }
    if (value_of("Version") != "2011-06-15") return refuse(400, "InvalidAction", "Unsupported Version");

    // STS only ever sees its own host names in Host; the signature covers it.
    const std::optional<std::string> region = region_of_host(request.header("Host"), "sts");
    if (!region) return refuse(400, "InvalidHost", "Host is not an STS endpoint.");

    const std::vector<sigv4::Header> headers = headers_of(request);
    const amz_time::Seconds now = wall_clock_now();
    bool expired = false;
    const sigv4::CredentialLookup lookup = credential_lookup(now, expired);
    const auto verified = sigv4::verify_presigned(
        {"GET", "/", raw_query, &headers, "sts", std::optional<std::string_view>(*region), now, {}}, lookup);
    if (expired) {
        counters_.expired_refused.fetch_add(1);
        return refuse(403, "ExpiredToken", "The security token included in the request is expired");
    }
    if (!verified) return refuse(verified.error().http_status, verified.error().code, verified.error().message);

    counters_.succeeded.fetch_add(1);
    return caller_identity(request, *world_.find(verified->access_key_id), id);
}

net::HttpResponse EmulatorHandler::caller_identity(const net::HttpRequest& request, const Principal& principal,
                                                   const std::string& id) {
    if (wants_json(request)) {
        return response(
            200, "application/json",
            nlohmann::json{{"GetCallerIdentityResponse",
                            {{"GetCallerIdentityResult",
                              {{"Account", principal.account}, {"Arn", principal.arn}, {"UserId", principal.user_id}}},
                             {"ResponseMetadata", {{"RequestId", id}}}}}}
                .dump());
    }
    return response(200, "text/xml",
                    "<GetCallerIdentityResponse xmlns=\"" + std::string(kStsNamespace) +
                        "\"><GetCallerIdentityResult><Arn>" + xml_escape(principal.arn) + "</Arn><UserId>" +
                        xml_escape(principal.user_id) + "</UserId><Account>" + principal.account +
                        "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>" + id +
                        "</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
}

net::HttpResponse EmulatorHandler::post(const net::HttpRequest& request, const std::string& id) {
    std::string problem;
    const auto fields = form_fields(request.body, problem);
    const auto field = [&](const char* name) -> std::string {
        const auto it = fields.find(name);
        return it == fields.end() ? std::string{} : it->second;
    };
    const std::string action = field("Action");
    const bool ec2 = action == "DescribeInstances";
    const auto error = [&](unsigned status, std::string_view code, std::string_view message) {
        return ec2 ? ec2_error(status, code, message, id) : sts_error(request, status, code, message, id);
    };
    if (!problem.empty()) return error(400, "MalformedQueryString", problem);

    const amz_time::Seconds now = wall_clock_now();
    if (action == "AssumeRoleWithWebIdentity") {
        // Unsigned: the web identity token is the credential.
        const auto role = world_.web_identity_role(field("WebIdentityToken"));
        if (!role)
            return error(400, "InvalidIdentityToken", "The web identity token that was passed could not be validated.");
        if (*role != field("RoleArn"))
            return error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
        counters_.web_identity.fetch_add(1);
        const Principal issued =
            world_.issue(*role, field("RoleSessionName").empty() ? "web-identity" : field("RoleSessionName"), now);
        return response(200, "text/xml", credentials_xml("AssumeRoleWithWebIdentity", issued, id));
    }
    if (action != "AssumeRole" && action != "GetCallerIdentity" && !ec2) {
        return error(400, "InvalidAction", "Could not find operation " + action);
    }

    if (ec2) {
        counters_.ec2_calls.fetch_add(1);
        if (behaviour_.ec2_throttle_rate > 0 &&
            std::uniform_real_distribution<double>(0, 1)(random_) < behaviour_.ec2_throttle_rate) {
            counters_.ec2_throttled.fetch_add(1);
            return ec2_error(503, "RequestLimitExceeded", "Request limit exceeded.", id);
        }
    }
    const std::string service = ec2 ? "ec2" : "sts";
    const std::optional<std::string> region = region_of_host(request.header("Host"), service);
    const std::vector<sigv4::Header> headers = headers_of(request);
    bool expired = false;
    const sigv4::CredentialLookup lookup = credential_lookup(now, expired);
    const auto verified = sigv4::verify_header_signed(
        {"POST", "/", "", &headers, service, region ? std::optional<std::string_view>(*region) : std::nullopt, now,
         request.body},
        lookup);
    if (expired) {
        counters_.expired_refused.fetch_add(1);
        return error(400, ec2 ? "RequestExpired" : "ExpiredToken",
                     "The security token included in the request is expired");
    }
    if (!verified) {
        const bool auth =
            verified.error().code == "SignatureDoesNotMatch" || verified.error().code == "InvalidClientTokenId";
        return error(
            verified.error().http_status,
            ec2 && verified.error().code == "InvalidClientTokenId" ? "AuthFailure" : verified.error().code,
            auth && ec2 ? "AWS was not able to validate the provided access credentials" : verified.error().message);
    }

    if (action == "GetCallerIdentity") {
        counters_.signed_caller_identity.fetch_add(1);
        return caller_identity(request, *world_.find(verified->access_key_id), id);
    }
    if (action == "AssumeRole") {
        const std::string role = field("RoleArn");
        if (const std::string external_id = field("ExternalId"); !external_id.empty())
            counters_.record_external_id(external_id);
        if (const std::string_view source = request.header("x-amz-source-arn"); !source.empty()) {
            counters_.record_source_arn(std::string(source));
        }
        if (!world_.is_assumable(role))
            return error(403, "AccessDenied", "Not authorized to perform sts:AssumeRole on " + role);
        if (const auto mfa = world_.mfa_requirement(role)) {
            const std::string serial = field("SerialNumber"), code = field("TokenCode");
            if (!code.empty() && (code.size() != 6 || !ascii::all_of_digits(code))) {
                return error(400, "ValidationError",
                             "1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: "
                             "Member must satisfy regular expression pattern: [\\d]*");
            }
            if (serial != mfa->serial_number || code.empty())
                return error(403, "AccessDenied", "Not authorized to perform sts:AssumeRole on " + role);
            if (code != mfa->token_code) {
                return error(403, "AccessDenied",
                             "MultiFactorAuthentication failed with invalid MFA one time pass code.");
            }
            counters_.mfa_assume_role.fetch_add(1);
        }
        counters_.assume_role.fetch_add(1);
        const Principal issued =
            world_.issue(role, field("RoleSessionName").empty() ? "session" : field("RoleSessionName"), now);
        return response(200, "text/xml", credentials_xml("AssumeRole", issued, id));
    }

    if (const auto caller = world_.find(verified->access_key_id)) counters_.record_ec2_caller(caller->arn);

    // DescribeInstances: every instance ID must exist, or the call fails, as in EC2.
    std::vector<const Instance*> found;
    std::string missing;
    for (int i = 1;; ++i) {
        const std::string instance_id = field(("InstanceId." + std::to_string(i)).c_str());
        if (instance_id.empty()) break;
        counters_.ec2_instance_ids.fetch_add(1);
        if (const Instance* instance = world_.instance(instance_id))
            found.push_back(instance);
        else
            missing += (missing.empty() ? "" : ", ") + instance_id;
    }
    if (!missing.empty()) {
        return ec2_error(400, "InvalidInstanceID.NotFound", "The instance IDs '" + missing + "' do not exist", id);
    }
    std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeInstancesResponse xmlns=\"" +
                       std::string(kEc2Namespace) + "\"><requestId>" + id + "</requestId><reservationSet>";
    for (const Instance* instance : found) {
        body += "<item><reservationId>r-0emulated</reservationId><instancesSet><item><instanceId>" +
                instance->instance_id + "</instanceId><instanceState><name>" + instance->state +
                "</name></instanceState><privateDnsName>" + xml_escape(instance->private_dns_name) +
                "</privateDnsName><networkInterfaceSet><item><privateDnsName>eni-not-this.internal</privateDnsName>"
                "</item></networkInterfaceSet></item></instancesSet></item>";
    }
    body += "</reservationSet></DescribeInstancesResponse>";
    return response(200, "text/xml;charset=UTF-8", body);
}

// The IAM Identity Center portal's GetRoleCredentials: the bearer token of
// a sign-in buys credentials for one of the permission sets it may use.
net::HttpResponse EmulatorHandler::sso_role_credentials(const net::HttpRequest& request) {
    const auto portal_error = [](unsigned status, std::string_view type, std::string_view message) {
        return response(
            status, "application/json",
            nlohmann::json{{"message", message}, {"__type", "com.amazonaws.switchboard.portal#" + std::string(type)}}
                .dump());
    };
    if (request.method != "GET") return portal_error(405, "InvalidRequestException", "Method not allowed");
    const std::string_view target = request.target;
    const std::size_t question = target.find('?');
    auto params = url::parse_query_strict(question == std::string_view::npos ? "" : target.substr(question + 1));
    if (!params) return portal_error(400, "InvalidRequestException", params.error());
    std::string account_id, role_name;
    for (const auto& param : *params) {
        if (param.key == "account_id") account_id = param.value;
        if (param.key == "role_name") role_name = param.value;
    }
    if (account_id.empty() || role_name.empty())
        return portal_error(400, "InvalidRequestException", "account_id and role_name are required");

    const amz_time::Seconds now = wall_clock_now();
    const SsoSignIn* sign_in = world_.sso_sign_in(request.header("x-amz-sso_bearer_token"));
    if (sign_in == nullptr || (sign_in->expires_at && now >= *sign_in->expires_at)) {
        counters_.sso_refused.fetch_add(1);
        return portal_error(401, "UnauthorizedException", "Session token not found or invalid");
    }
    if (!sign_in->may_use(account_id, role_name)) {
        counters_.sso_refused.fetch_add(1);
        return portal_error(403, "ForbiddenException", "No access");
    }
    counters_.sso_credentials.fetch_add(1);
    const Principal issued = world_.issue(sso_role_arn(account_id, role_name), sign_in->user, now);
    const long long expiration_ms = issued.expiration->time_since_epoch().count() * 1000LL;
    return response(200, "application/json",
                    nlohmann::json{{"roleCredentials",
                                    {{"accessKeyId", issued.access_key_id},
                                     {"secretAccessKey", issued.secret_access_key},
                                     {"sessionToken", issued.session_token},
                                     {"expiration", expiration_ms}}}}
                        .dump());
}

net::awaitable<net::HttpResponse> MetadataHandler::handle(net::HttpRequest request) {
    using Clock = std::chrono::steady_clock;
    const std::string_view path = request.path();
    const amz_time::Seconds now = wall_clock_now();
    const auto credentials_json = [&](const std::string& role, const std::string& session) {
        const Principal issued = world_.issue(role, session, now);
        return response(200, "application/json",
                        nlohmann::json{{"Code", "Success"},
                                       {"Type", "AWS-HMAC"},
                                       {"AccessKeyId", issued.access_key_id},
                                       {"SecretAccessKey", issued.secret_access_key},
                                       {"Token", issued.session_token},
                                       {"Expiration", amz_time::format_rfc3339(*issued.expiration)}}
                            .dump());
    };

    if (path == "/container/credentials") {
        if (world_.container_role().empty()) co_return response(404, "text/plain", "no container role\n");
        if (request.header("Authorization") != world_.container_authorization_token()) {
            co_return response(401, "text/plain", "bad Authorization\n");
        }
        counters_.container_credentials.fetch_add(1);
        co_return credentials_json(world_.container_role(), "container");
    }

    // IMDSv2: a PUT for a session token, then GETs carrying it.
    if (path == "/latest/api/token") {
        if (request.method != "PUT") co_return response(405, "text/plain", "");
        const std::string ttl(request.header("X-aws-ec2-metadata-token-ttl-seconds"));
        if (ttl.empty() || !ascii::all_of_digits(ttl) || ttl.size() > 5) co_return response(400, "text/plain", "");
        std::lock_guard lock(tokens_mutex_);
        std::string token = "imds-";
        for (int i = 0; i < 24; ++i) token += "abcdefghijklmnopqrstuvwxyz"[random_() % 26];
        tokens_[token] = Clock::now() + std::chrono::seconds(std::stol(ttl));
        co_return response(200, "text/plain", token);
    }
    {
        std::lock_guard lock(tokens_mutex_);
        const auto it = tokens_.find(std::string(request.header("X-aws-ec2-metadata-token")));
        if (it == tokens_.end() || it->second < Clock::now()) co_return response(401, "text/plain", "");
    }
    if (path == "/latest/meta-data/placement/region") co_return response(200, "text/plain", world_.region());
    constexpr std::string_view kCredentials = "/latest/meta-data/iam/security-credentials/";
    if (path.starts_with(kCredentials) && !world_.instance_profile_role().empty()) {
        const std::string role = world_.instance_profile_role();
        const std::string name = role.substr(role.rfind('/') + 1);
        const std::string_view asked = path.substr(kCredentials.size());
        if (asked.empty()) co_return response(200, "text/plain", name);
        if (asked != name) co_return response(404, "text/plain", "");
        counters_.imds_credentials.fetch_add(1);
        co_return credentials_json(role, "i-0emulatedinstance");
    }
    co_return response(404, "text/plain", "");
}

}  // namespace aia::bench
