#include "core/identity/sts_error.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "core/util/json_depth.hpp"
#include "core/util/quote.hpp"

namespace aia::identity {
namespace {

constexpr std::size_t kMaxMessageBytes = 200;
constexpr std::size_t kMaxCodeBytes = 64;

std::string xml_element(std::string_view body, std::string_view name) {
    const std::string open = "<" + std::string(name) + ">";
    const std::string close = "</" + std::string(name) + ">";
    const std::size_t start = body.find(open);
    if (start == std::string_view::npos) return {};
    const std::size_t from = start + open.size();
    const std::size_t end = body.find(close, from);
    return std::string(body.substr(from, end == std::string_view::npos ? std::string_view::npos : end - from));
}

// Removes what must never reach a log: a canonical request and anything after
// it, and the values of credential-bearing parameters.
std::string redact(std::string message) {
    for (std::string_view marker : {"The Canonical String", "Canonical String", "canonical request"}) {
        if (const std::size_t at = message.find(marker); at != std::string::npos) message.erase(at);
    }
    for (std::string_view parameter : {"X-Amz-Security-Token=", "X-Amz-Signature=", "X-Amz-Credential="}) {
        for (std::size_t at = message.find(parameter); at != std::string::npos; at = message.find(parameter, at)) {
            const std::size_t value = at + parameter.size();
            const std::size_t end = message.find_first_of("& \n\"<", value);
            message.replace(value, (end == std::string::npos ? message.size() : end) - value, "[redacted]");
            at = value;
        }
    }
    return message;
}

}  // namespace

StsErrorSummary summarize_sts_error(std::string_view body) {
    std::string code, message;
    if (json_depth::within(body, 8)) {
        const auto json = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
        if (json.is_object() && json.contains("Error") && json["Error"].is_object()) {
            const auto& error = json["Error"];
            if (error.contains("Code") && error["Code"].is_string()) code = error["Code"].get<std::string>();
            if (error.contains("Message") && error["Message"].is_string())
                message = error["Message"].get<std::string>();
        }
    }
    if (code.empty()) code = xml_element(body, "Code");
    if (message.empty()) message = xml_element(body, "Message");
    return {sanitize(code, kMaxCodeBytes), sanitize(redact(std::move(message)), kMaxMessageBytes)};
}

bool is_throttling(std::string_view body) { return body.find("Throttling") != std::string_view::npos; }

}  // namespace aia::identity
