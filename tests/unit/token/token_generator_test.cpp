// Tokens signed by our generator: byte-for-byte equal to upstream's golden
// token, and accepted by our validator inside their window only.

#include <catch2/catch.hpp>

#include "core/token/token_generator.hpp"
#include "core/token/token_validator.hpp"
#include "core/util/base64.hpp"

using namespace aia;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

// AWS's documented example credentials: not real.
const sigv4::Credentials kExampleCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const sigv4::Credentials kExampleSessionCredentials{"ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                                    "IQoJb3JpZ2luX2VjEXAMPLE/+=token"};
constexpr amz_time::Seconds kSignedAt{seconds{1682640000}};  // 2023-04-28T00:00:00Z

token::TokenValidator validator(std::string partition = "aws") {
    auto created = token::TokenValidator::create({.cluster_id = "test-cluster", .partition = std::move(partition)});
    REQUIRE(created.ok());
    return std::move(created).value();
}

token::GeneratedToken generate(const sigv4::Credentials& credentials, std::string_view region) {
    return token::generate_token({.credentials = credentials,
                                  .cluster_id = "test-cluster",
                                  .endpoint = token::default_sts_endpoint(region),
                                  .now = kSignedAt});
}

}  // namespace

TEST_CASE("upstream's golden token is reproduced exactly", "[token-generator]") {
    // kubernetes-sigs/aws-iam-authenticator pkg/token/token_test.go,
    // TestGetWithSTS: example (non-real) static credentials, us-west-2,
    // t=1682640000. Its expected signature is e211dba7...5ce.
    const sigv4::Credentials credentials{"ASIAR2TG44V6AS3ZZE7C", "4KD5cntGcVmLWRdF5wvNRuzNL5Qxmp6OKVY6Fz/Q", ""};
    const auto token = generate(credentials, "us-west-2");
    CHECK(token.url ==
          "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
          "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
          "&X-Amz-Credential=ASIAR2TG44V6AS3ZZE7C%2F20230428%2Fus-west-2%2Fsts%2Faws4_request"
          "&X-Amz-Date=20230428T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"
          "&X-Amz-Signature=e211dba77aba9dc44b0b6be38b8eaad092599c5157f6314444c5b9d85747f5ce");
    CHECK(token.token == "k8s-aws-v1." + base64::encode_url_unpadded(token.url));
    CHECK(token.expiration == kSignedAt + minutes{14});
}

TEST_CASE("endpoints clients pick", "[token-generator]") {
    CHECK(token::default_sts_endpoint("").host == "sts.amazonaws.com");
    CHECK(token::default_sts_endpoint("").signing_region == "us-east-1");
    CHECK(token::default_sts_endpoint("eu-west-1").host == "sts.eu-west-1.amazonaws.com");
    CHECK(token::default_sts_endpoint("cn-north-1").host == "sts.cn-north-1.amazonaws.com.cn");
    CHECK(token::default_sts_endpoint("us-gov-west-1").host == "sts.us-gov-west-1.amazonaws.com");
    CHECK(token::default_sts_endpoint("us-iso-east-1").host == "sts.us-iso-east-1.c2s.ic.gov");
}

TEST_CASE("generated tokens pass validation inside their window only", "[token-generator]") {
    struct Variant {
        const char* name;
        const sigv4::Credentials* credentials;
        const char* region;
        const char* partition;
    };
    const Variant variants[] = {
        {"global, long-term credentials", &kExampleCredentials, "", "aws"},
        {"global, session credentials", &kExampleSessionCredentials, "", "aws"},
        {"regional, long-term credentials", &kExampleCredentials, "us-west-2", "aws"},
        {"regional, session credentials", &kExampleSessionCredentials, "ap-southeast-2", "aws"},
        {"China, session credentials", &kExampleSessionCredentials, "cn-northwest-1", "aws-cn"},
        {"GovCloud, long-term credentials", &kExampleCredentials, "us-gov-east-1", "aws-us-gov"},
    };
    for (const Variant& v : variants) {
        DYNAMIC_SECTION(v.name) {
            const auto generated = generate(*v.credentials, v.region);
            const auto checker = validator(v.partition);

            const auto inside = checker.validate(generated.token, kSignedAt + minutes{10});
            if (!inside) FAIL(inside.error().message());
            CHECK(inside->url() == generated.url);
            CHECK(inside->access_key_id == v.credentials->access_key_id);
            CHECK(inside->has_session_token == !v.credentials->session_token.empty());
            CHECK(inside->signing_region == (*v.region ? v.region : "us-east-1"));

            CHECK(checker.validate(generated.token, kSignedAt).ok());
            CHECK(checker.validate(generated.token, kSignedAt + minutes{15}).ok());
            CHECK(checker.validate(generated.token, kSignedAt + minutes{15} + seconds{1}).error().code ==
                  token::TokenErrorCode::Expired);
            CHECK(checker.validate(generated.token, kSignedAt - minutes{6}).error().code ==
                  token::TokenErrorCode::NotYetValid);
        }
    }
}

TEST_CASE("the session token is signed into the URL", "[token-generator]") {
    const auto generated = generate(kExampleSessionCredentials, "us-west-2");
    // '/', '+' and '=' of the token are percent-encoded; it sits before the signature.
    CHECK_THAT(generated.url,
               Catch::Contains("&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2F%2B%3Dtoken&X-Amz-SignedHeaders="));
    CHECK_THAT(generated.url, Catch::Contains("&X-Amz-Signature="));
    CHECK(generated.url.find("X-Amz-Signature") > generated.url.find("X-Amz-Security-Token"));
    // A different session token gives a different signature.
    sigv4::Credentials other = kExampleSessionCredentials;
    other.session_token += "x";
    const auto regenerated = generate(other, "us-west-2");
    CHECK(regenerated.url.substr(regenerated.url.size() - 64) != generated.url.substr(generated.url.size() - 64));
}
