// The verifying side of presigning, as the STS emulator uses it.

#include <catch2/catch.hpp>

#include "core/sigv4/signature_verifier.hpp"
#include "core/sigv4/signer.hpp"
#include "core/token/token_generator.hpp"
#include "core/url/url_parts.hpp"

using namespace aia;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

constexpr amz_time::Seconds kSignedAt{seconds{1682640000}};
const sigv4::Credentials kCredentials{"ASIAEXAMPLE0000001", "secret/key+1", "session-token/+="};

struct Received {
    std::string target_query;
    std::vector<sigv4::Header> headers;
};

Received receive(const token::GeneratedToken& token, std::string cluster_id) {
    auto parts = url::split_url(token.url);
    REQUIRE(parts.ok());
    return {std::string(*parts->query),
            {{"Host", std::string(parts->authority)},
             {"x-k8s-aws-id", std::move(cluster_id)},
             {"Accept", "application/json"}}};
}

Result<sigv4::VerifiedRequest, sigv4::VerificationError> verify(const Received& r, amz_time::Seconds now,
                                                                std::optional<std::string_view> region = "us-west-2") {
    const sigv4::CredentialLookup lookup = [](std::string_view key) -> std::optional<sigv4::KnownCredentials> {
        if (key != kCredentials.access_key_id) return std::nullopt;
        return sigv4::KnownCredentials{kCredentials.secret_access_key, kCredentials.session_token};
    };
    return sigv4::verify_presigned({"GET", "/", r.target_query, &r.headers, "sts", region, now}, lookup);
}

token::GeneratedToken sign(sigv4::Credentials credentials = kCredentials) {
    return token::generate_token({.credentials = std::move(credentials),
                                  .cluster_id = "cluster-a",
                                  .endpoint = token::default_sts_endpoint("us-west-2"),
                                  .now = kSignedAt});
}

}  // namespace

TEST_CASE("a token signed by our signer verifies", "[presigned-verifier]") {
    const auto verified = verify(receive(sign(), "cluster-a"), kSignedAt + minutes{1});
    if (!verified) FAIL(verified.error().code << ": " << verified.error().message);
    CHECK(verified->access_key_id == "ASIAEXAMPLE0000001");
    CHECK(verified->region == "us-west-2");
    CHECK(verified->signed_at == kSignedAt);
}

TEST_CASE("a token for another cluster does not", "[presigned-verifier]") {
    const auto verified = verify(receive(sign(), "cluster-b"), kSignedAt);
    REQUIRE_FALSE(verified.ok());
    CHECK(verified.error().code == "SignatureDoesNotMatch");
    CHECK(verified.error().http_status == 403);
}

TEST_CASE("tampering, wrong secrets and wrong session tokens fail", "[presigned-verifier]") {
    Received tampered = receive(sign(), "cluster-a");
    tampered.target_query.replace(tampered.target_query.find("Version=2011-06-15"), 18, "Version=2011-06-16");
    CHECK(verify(tampered, kSignedAt).error().code == "SignatureDoesNotMatch");

    sigv4::Credentials wrong_secret = kCredentials;
    wrong_secret.secret_access_key += "x";
    CHECK(verify(receive(sign(wrong_secret), "cluster-a"), kSignedAt).error().code == "SignatureDoesNotMatch");

    sigv4::Credentials wrong_token = kCredentials;
    wrong_token.session_token = "other";
    CHECK(verify(receive(sign(wrong_token), "cluster-a"), kSignedAt).error().code == "InvalidClientTokenId");
    sigv4::Credentials no_token = kCredentials;
    no_token.session_token.clear();
    CHECK(verify(receive(sign(no_token), "cluster-a"), kSignedAt).error().code == "InvalidClientTokenId");

    sigv4::Credentials unknown = kCredentials;
    unknown.access_key_id = "AKIAUNKNOWN";
    CHECK(verify(receive(sign(unknown), "cluster-a"), kSignedAt).error().code == "InvalidClientTokenId");

    Received missing_header = receive(sign(), "cluster-a");
    missing_header.headers.erase(missing_header.headers.begin() + 1);
    CHECK_THAT(verify(missing_header, kSignedAt).error().message, Catch::Contains("x-k8s-aws-id is missing"));
}

TEST_CASE("the 15-minute window, both ways", "[presigned-verifier]") {
    const Received r = receive(sign(), "cluster-a");
    CHECK(verify(r, kSignedAt + minutes{15}).ok());
    CHECK_THAT(verify(r, kSignedAt + minutes{15} + seconds{1}).error().message, Catch::StartsWith("Signature expired"));
    CHECK(verify(r, kSignedAt - minutes{15}).ok());
    CHECK_THAT(verify(r, kSignedAt - minutes{15} - seconds{1}).error().message,
               Catch::StartsWith("Signature not yet current"));
}

TEST_CASE("the credential must be scoped to the endpoint's region", "[presigned-verifier]") {
    const Received r = receive(sign(), "cluster-a");
    CHECK(verify(r, kSignedAt, "us-east-1").error().message == "Credential should be scoped to a valid region.");
    CHECK(verify(r, kSignedAt, std::nullopt).ok());
}

TEST_CASE("incomplete and malformed presigned requests", "[presigned-verifier]") {
    Received r = receive(sign(), "cluster-a");
    const std::string signature_param = r.target_query.substr(r.target_query.find("&X-Amz-Signature="));
    Received unsigned_request = r;
    unsigned_request.target_query.erase(unsigned_request.target_query.find("&X-Amz-Signature="));
    CHECK(verify(unsigned_request, kSignedAt).error().code == "IncompleteSignature");
    CHECK(verify(unsigned_request, kSignedAt).error().http_status == 400);

    Received repeated = r;
    repeated.target_query += signature_param;
    CHECK(verify(repeated, kSignedAt).error().code == "MalformedQueryString");

    // AWS reads parameter names case-sensitively: lower-case names are missing names.
    Received lower = r;
    lower.target_query.replace(lower.target_query.find("X-Amz-Date"), 10, "x-amz-date");
    CHECK(verify(lower, kSignedAt).error().code == "IncompleteSignature");
}

TEST_CASE("header-signed requests (AssumeRole, DescribeInstances) verify", "[signature-verifier]") {
    sigv4::Request request;
    request.method = "POST";
    request.path = "/";
    request.headers = {{"Host", "ec2.us-west-2.amazonaws.com"},
                       {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    request.body = "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0";
    sigv4::SigningParams params;
    params.credentials = kCredentials;
    params.region = "us-west-2";
    params.service = "ec2";
    params.time = kSignedAt;
    sigv4::sign_headers(request, params);

    const sigv4::CredentialLookup lookup = [](std::string_view key) -> std::optional<sigv4::KnownCredentials> {
        if (key != kCredentials.access_key_id) return std::nullopt;
        return sigv4::KnownCredentials{kCredentials.secret_access_key, kCredentials.session_token};
    };
    const auto verify = [&](const sigv4::Request& r, std::string_view service = "ec2") {
        return sigv4::verify_header_signed(
            {r.method, r.path, r.query, &r.headers, service, "us-west-2", kSignedAt, r.body}, lookup);
    };
    const auto ok = verify(request);
    if (!ok) FAIL(ok.error().code << ": " << ok.error().message);
    CHECK(ok->access_key_id == kCredentials.access_key_id);

    sigv4::Request tampered = request;
    tampered.body += "&InstanceId.2=i-other";
    CHECK(verify(tampered).error().code == "SignatureDoesNotMatch");
    CHECK(verify(request, "sts").error().code == "SignatureDoesNotMatch");
    sigv4::Request unsigned_request = request;
    std::erase_if(unsigned_request.headers, [](const sigv4::Header& h) { return h.name == "Authorization"; });
    CHECK(verify(unsigned_request).error().code == "MissingAuthenticationToken");
    sigv4::Request no_token = request;
    std::erase_if(no_token.headers, [](const sigv4::Header& h) { return h.name == "X-Amz-Security-Token"; });
    CHECK(verify(no_token).error().code == "InvalidClientTokenId");
}
