// AWS's own SigV4 test suite (tests/data/sigv4, from aws-c-auth) and three
// extra official cases (tests/data/sigv4-extra), run through our signer.
// Every case checks the canonical request, the string to sign and the
// signature byte for byte, in header mode and in presigned (query) mode.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/sigv4/signer.hpp"
#include "support/files.hpp"

namespace {

using aia::sigv4::Request;
using aia::sigv4::SigningParams;
using aia::test::data_dir;
using aia::test::read_file;

constexpr auto kAccessKeyId = "AKIDEXAMPLE";
constexpr auto kSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// "GET /path?query HTTP/1.1", header lines (a line starting with whitespace
// continues the previous one), a blank line, the body.
Request parse_request_file(const std::string& text) {
    Request request;
    std::size_t line_end = text.find('\n');
    const std::string request_line = text.substr(0, line_end);
    const std::size_t first_space = request_line.find(' ');
    const std::size_t version = request_line.rfind(" HTTP/1.1");
    REQUIRE(first_space != std::string::npos);
    REQUIRE(version != std::string::npos);
    request.method = request_line.substr(0, first_space);
    const std::string target = request_line.substr(first_space + 1, version - first_space - 1);
    const std::size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);

    std::size_t pos = line_end == std::string::npos ? text.size() : line_end + 1;
    while (pos < text.size()) {
        line_end = text.find('\n', pos);
        const std::string line = text.substr(pos, line_end == std::string::npos ? std::string::npos : line_end - pos);
        pos = line_end == std::string::npos ? text.size() : line_end + 1;
        if (line.empty()) {
            request.body = text.substr(pos);
            break;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            REQUIRE(!request.headers.empty());
            request.headers.back().value += " " + line;
            continue;
        }
        const std::size_t colon = line.find(':');
        REQUIRE(colon != std::string::npos);
        request.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
    }
    return request;
}

// "2015-08-30T12:36:00Z"
aia::amz_time::Seconds parse_context_time(const std::string& text) {
    std::string basic = text;
    std::erase(basic, '-');
    std::erase(basic, ':');
    auto parsed = aia::amz_time::parse_amz_date(basic);
    REQUIRE(parsed.ok());
    return *parsed;
}

struct SuiteCase {
    std::string name;
    std::filesystem::path dir;
    nlohmann::json context;
};

std::vector<SuiteCase> suite_cases() {
    std::vector<SuiteCase> cases;
    for (const auto& entry : std::filesystem::directory_iterator(data_dir() / "sigv4")) {
        if (!entry.is_directory()) continue;
        cases.push_back({entry.path().filename().string(), entry.path(),
                         nlohmann::json::parse(read_file(entry.path() / "context.json"))});
    }
    std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return cases;
}

SigningParams params_from_context(const nlohmann::json& context) {
    SigningParams params;
    params.credentials.access_key_id = context.at("credentials").at("access_key_id").get<std::string>();
    params.credentials.secret_access_key = context.at("credentials").at("secret_access_key").get<std::string>();
    params.credentials.session_token = context.at("credentials").value("token", "");
    params.region = context.at("region").get<std::string>();
    params.service = context.at("service").get<std::string>();
    params.time = parse_context_time(context.at("timestamp").get<std::string>());
    params.normalize_path = context.at("normalize").get<bool>();
    params.add_content_sha256_header = context.at("sign_body").get<bool>();
    params.omit_session_token = context.value("omit_session_token", false);
    return params;
}

// The suite's example credentials, for the cases that have no context.json.
SigningParams example_params(std::string region, std::string service, const std::string& timestamp) {
    SigningParams params;
    params.credentials = {kAccessKeyId, kSecretKey, ""};
    params.region = std::move(region);
    params.service = std::move(service);
    params.time = parse_context_time(timestamp);
    return params;
}

}  // namespace

TEST_CASE("the AWS SigV4 suite is all there", "[sigv4]") {
    // 38 cases: if data went missing the other tests would pass vacuously.
    CHECK(suite_cases().size() == 38);
}

TEST_CASE("AWS SigV4 suite, header signing", "[sigv4][sigv4-suite]") {
    for (const SuiteCase& c : suite_cases()) {
        DYNAMIC_SECTION(c.name) {
            Request request = parse_request_file(read_file(c.dir / "request.txt"));
            const auto result = aia::sigv4::sign_headers(request, params_from_context(c.context));
            CHECK(result.canonical_request == read_file(c.dir / "header-canonical-request.txt"));
            CHECK(result.string_to_sign == read_file(c.dir / "header-string-to-sign.txt"));
            CHECK(result.signature == read_file(c.dir / "header-signature.txt"));

            // The Authorization header we attach carries the same signature.
            const auto authorization = std::find_if(request.headers.begin(), request.headers.end(),
                                                    [](const auto& h) { return h.name == "Authorization"; });
            REQUIRE(authorization != request.headers.end());
            CHECK_THAT(authorization->value, Catch::EndsWith("Signature=" + result.signature));
        }
    }
}

TEST_CASE("AWS SigV4 suite, presigned URLs", "[sigv4][sigv4-suite]") {
    for (const SuiteCase& c : suite_cases()) {
        DYNAMIC_SECTION(c.name) {
            Request request = parse_request_file(read_file(c.dir / "request.txt"));
            const auto expires = std::chrono::seconds(c.context.at("expiration_in_seconds").get<int>());
            const auto result = aia::sigv4::presign(request, params_from_context(c.context), expires);
            CHECK(result.canonical_request == read_file(c.dir / "query-canonical-request.txt"));
            CHECK(result.string_to_sign == read_file(c.dir / "query-string-to-sign.txt"));
            CHECK(result.signature == read_file(c.dir / "query-signature.txt"));
            CHECK_THAT(request.query, Catch::EndsWith("&X-Amz-Signature=" + result.signature));
        }
    }
}

TEST_CASE("extra SigV4 cases from aws-sdk-ruby: unusual query strings", "[sigv4]") {
    for (std::string name : {"post-vanilla-query-nonunreserved", "post-vanilla-query-space"}) {
        DYNAMIC_SECTION(name) {
            const auto dir = data_dir() / "sigv4-extra" / "aws-sdk-ruby" / name;
            Request request = parse_request_file(read_file(dir / (name + ".req")));
            const auto result =
                aia::sigv4::sign_headers(request, example_params("us-east-1", "service", "2015-08-30T12:36:00Z"));
            CHECK(result.canonical_request == read_file(dir / (name + ".creq")));
            CHECK(result.string_to_sign == read_file(dir / (name + ".sts")));
            CHECK(request.headers.back().name == "Authorization");
            CHECK(request.headers.back().value == read_file(dir / (name + ".authz")));
        }
    }
}

TEST_CASE("extra SigV4 case from smithy-rs: an encoded path is encoded again", "[sigv4]") {
    const auto dir = data_dir() / "sigv4-extra" / "smithy-rs" / "double-url-encode";
    Request request = parse_request_file(read_file(dir / "request.txt"));
    const auto result =
        aia::sigv4::sign_headers(request, example_params("us-east-2", "lambda", "2021-05-11T15:40:45Z"));

    CHECK(result.canonical_request == read_file(dir / "header-canonical-request.txt"));
    std::string expected_string_to_sign = read_file(dir / "header-string-to-sign.txt");
    if (expected_string_to_sign.ends_with('\n'))
        expected_string_to_sign.pop_back();  // this file alone ends in a newline
    CHECK(result.string_to_sign == expected_string_to_sign);
    const std::string signed_request = read_file(dir / "header-signed-request.txt");
    CHECK_THAT(signed_request, Catch::Contains("Signature=" + result.signature));
}
