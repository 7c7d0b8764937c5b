// Every offline check of TokenValidator, one refusal at a time, and the
// tokens it must accept.

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/token/token_validator.hpp"
#include "core/util/base64.hpp"

using namespace aia;
using token::TokenErrorCode;
using Code = token::TokenErrorCode;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

constexpr std::string_view kSecurityToken = "FQoGZXIvYXdzEXAMPLE%2F%2B%3D";
constexpr std::string_view kSignature = "e211dba77aba9dc44b0b6be38b8eaad092599c5157f6314444c5b9d85747f5ce";

// 2023-04-28T00:00:00Z, the X-Amz-Date of the URLs below.
constexpr amz_time::Seconds kSignedAt{seconds{1682640000}};
constexpr amz_time::Seconds kNow = kSignedAt + minutes{5};

// A presigned URL, held as raw (already encoded) "name=value" pairs so each
// test can break exactly one thing.
struct PresignedUrl {
    std::string prefix = "https://sts.us-west-2.amazonaws.com/";
    std::vector<std::string> params = {
        "Action=GetCallerIdentity",
        "Version=2011-06-15",
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "X-Amz-Credential=ASIAR2TG44V6AS3ZZE7C%2F20230428%2Fus-west-2%2Fsts%2Faws4_request",
        "X-Amz-Date=20230428T000000Z",
        "X-Amz-Expires=60",
        "X-Amz-Security-Token=" + std::string(kSecurityToken),
        "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id",
        "X-Amz-Signature=" + std::string(kSignature),
    };

    // Replaces the pair whose name is `name` (exact spelling) by `pair`, or
    // drops it when `pair` is empty.
    PresignedUrl& set(std::string_view name, std::string pair) {
        const auto it = std::find_if(params.begin(), params.end(),
                                     [&](const std::string& p) { return p.substr(0, p.find('=')) == name; });
        REQUIRE(it != params.end());
        if (pair.empty()) {
            params.erase(it);
        } else {
            *it = std::move(pair);
        }
        return *this;
    }
    PresignedUrl& remove(std::string_view name) { return set(name, ""); }
    PresignedUrl& add(std::string pair) {
        params.push_back(std::move(pair));
        return *this;
    }
    PresignedUrl& lower_case_names() {
        for (std::string& p : params) {
            std::transform(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(p.find('=')), p.begin(),
                           [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
        }
        return *this;
    }

    std::string str() const {
        std::string out = prefix + "?";
        for (std::size_t i = 0; i < params.size(); ++i) out += (i ? "&" : "") + params[i];
        return out;
    }
};

std::string to_token(std::string_view url) { return "k8s-aws-v1." + base64::encode_url_unpadded(url); }

token::VerifierSettings settings(std::string partition = "aws") {
    token::VerifierSettings s;
    s.cluster_id = "test-cluster";
    s.partition = std::move(partition);
    return s;
}

token::TokenValidator validator(token::VerifierSettings s = settings()) {
    auto created = token::TokenValidator::create(std::move(s));
    REQUIRE(created.ok());
    return std::move(created).value();
}

Result<token::PresignedRequest, token::TokenError> validate(std::string_view token, amz_time::Seconds now = kNow,
                                                            token::VerifierSettings s = settings()) {
    return validator(std::move(s)).validate(token, now);
}

// Asserts a refusal with `code` and returns its message. No message may
// repeat the token's signature or session token (regression guard: no code
// path prints them today).
std::string refusal(Code code, std::string_view token, amz_time::Seconds now = kNow,
                    token::VerifierSettings s = settings()) {
    const auto result = validate(token, now, std::move(s));
    if (result.ok()) {
        FAIL_CHECK("accepted, expected " << token::to_string(code));
        return "";
    }
    const std::string message = result.error().message();
    INFO(message);
    CHECK(token::to_string(result.error().code) == token::to_string(code));
    CHECK_THAT(message, Catch::StartsWith("input token was not properly formatted: "));
    CHECK(message.find(kSignature) == std::string::npos);
    CHECK(message.find("FQoGZXIvYXdz") == std::string::npos);
    return message;
}

std::string refusal(Code code, const PresignedUrl& url, amz_time::Seconds now = kNow) {
    return refusal(code, to_token(url.str()), now);
}

token::PresignedRequest accepted(std::string_view token, amz_time::Seconds now = kNow,
                                 token::VerifierSettings s = settings()) {
    auto result = validate(token, now, std::move(s));
    if (!result) FAIL(result.error().message());
    return std::move(result).value();
}

token::PresignedRequest accepted(const PresignedUrl& url, amz_time::Seconds now = kNow) {
    return accepted(to_token(url.str()), now);
}

}  // namespace

TEST_CASE("a valid token yields the request to replay", "[token]") {
    const PresignedUrl url;
    const auto request = accepted(url);
    CHECK(request.url() == url.str());
    CHECK(request.host == "sts.us-west-2.amazonaws.com");
    CHECK(request.target == url.str().substr(std::string("https://sts.us-west-2.amazonaws.com").size()));
    CHECK(request.sts_region == "us-west-2");
    CHECK(request.signing_region == "us-west-2");
    CHECK(request.access_key_id == "ASIAR2TG44V6AS3ZZE7C");
    CHECK(request.cluster_id == "test-cluster");
    CHECK(request.signed_at == kSignedAt);
    CHECK(request.expires_at == kSignedAt + minutes{15});
    CHECK(request.has_session_token);
}

TEST_CASE("accepted token variants", "[token]") {
    SECTION("global endpoint") {
        PresignedUrl url;
        url.prefix = "https://sts.amazonaws.com/";
        url.set("X-Amz-Credential",
                "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20230428%2Fus-east-1%2Fsts%2Faws4_request");
        const auto request = accepted(url);
        CHECK(request.sts_region == "global");
        CHECK(request.signing_region == "us-east-1");
        CHECK(request.access_key_id == "AKIAIOSFODNN7EXAMPLE");
    }
    SECTION("without a session token (long-term credentials)") {
        const auto request = accepted(PresignedUrl{}.remove("X-Amz-Security-Token"));
        CHECK_FALSE(request.has_session_token);
    }
    SECTION("lower-case parameter names, as upstream's tests write them") {
        const auto request = accepted(PresignedUrl{}.lower_case_names());
        CHECK(request.access_key_id == "ASIAR2TG44V6AS3ZZE7C");
        CHECK(request.has_session_token);
    }
    SECTION("parameters in any order") {
        PresignedUrl url;
        std::reverse(url.params.begin(), url.params.end());
        CHECK(accepted(url).access_key_id == "ASIAR2TG44V6AS3ZZE7C");
    }
    SECTION("the x-k8s-aws-id header named in any letter case") {
        accepted(PresignedUrl{}.set("X-Amz-SignedHeaders", "X-Amz-SignedHeaders=host%3BX-K8S-AWS-ID"));
    }
    SECTION("X-Amz-Expires from 0 to 900") {
        accepted(PresignedUrl{}.set("X-Amz-Expires", "X-Amz-Expires=0"));
        accepted(PresignedUrl{}.set("X-Amz-Expires", "X-Amz-Expires=900"));
        accepted(PresignedUrl{}.set("X-Amz-Expires", "X-Amz-Expires=0060"));
        accepted(PresignedUrl{}.set("X-Amz-Expires", "X-Amz-Expires=0000900"));
    }
    SECTION("an empty pair between separators, as Go skips it") {
        PresignedUrl url;
        url.params[1] = "&" + url.params[1];
        accepted(url);
    }
    SECTION("FIPS and dual-stack endpoints") {
        PresignedUrl url;
        url.prefix = "https://sts-fips.us-west-2.amazonaws.com/";
        CHECK(accepted(url).sts_region == "us-west-2");
        url.prefix = "https://sts.us-west-2.api.aws/";
        CHECK(accepted(url).host == "sts.us-west-2.api.aws");
    }
    SECTION("another partition") {
        PresignedUrl url;
        url.prefix = "https://sts.cn-north-1.amazonaws.com.cn/";
        url.set("X-Amz-Credential",
                "X-Amz-Credential=ASIAR2TG44V6AS3ZZE7C%2F20230428%2Fcn-north-1%2Fsts%2Faws4_request");
        CHECK(accepted(to_token(url.str()), kNow, settings("aws-cn")).sts_region == "cn-north-1");
        refusal(Code::UnexpectedHost, to_token(url.str()));
    }
}

TEST_CASE("settings are validated", "[token]") {
    token::VerifierSettings s = settings();
    s.cluster_id = "";
    CHECK(token::TokenValidator::create(s).error() == "cluster ID cannot be empty");
    s = settings("aws-moon");
    CHECK(token::TokenValidator::create(s).error() == "invalid partition \"aws-moon\"");
    s = settings();
    s.region = "us_east_1";
    CHECK(token::TokenValidator::create(s).error() ==
          "config key server.region (--region): \"us_east_1\" is not named like an AWS region");
    // Our own region widens the allow-list: it must look like a region of our partition.
    for (const char* region : {"s3", "s3-accelerate", "us-gov-west-1", "cn-north-1"}) {
        s = settings();
        s.region = region;
        INFO(region);
        CHECK_THAT(token::TokenValidator::create(s).error(),
                   Catch::StartsWith("config key server.region (--region): "));
    }
    s = settings();
    s.sts_regions = {"us-west-2", "cn-north-1"};
    CHECK_THAT(token::TokenValidator::create(s).error(),
               Catch::StartsWith("config key server.stsRegions (--sts-regions): "));
    s = settings();
    s.region = "xx-newplace-1";  // a region with a prefix this build does not know
    CHECK(token::TokenValidator::create(s).ok());
    s = settings("aws-us-gov");
    s.region = "us-gov-west-1";
    CHECK(token::TokenValidator::create(s).ok());

    s = settings();
    s.max_clock_skew = seconds{-1};
    CHECK_FALSE(token::TokenValidator::create(s).ok());
    s.max_clock_skew = std::chrono::hours{1} + seconds{1};
    CHECK_FALSE(token::TokenValidator::create(s).ok());
    s.max_clock_skew = std::chrono::hours{1};
    CHECK(token::TokenValidator::create(s).ok());
}

TEST_CASE("size: at most 4096 bytes", "[token]") {
    // Grow the session token until the whole token straddles the limit.
    // (Unpadded base64 never has length 4k+1, so 4096 itself cannot occur.)
    PresignedUrl url;
    std::string largest_accepted, smallest_refused;
    for (std::size_t pad = 0; smallest_refused.empty(); ++pad) {
        url.set("X-Amz-Security-Token", "X-Amz-Security-Token=" + std::string(kSecurityToken) + std::string(pad, 'A'));
        const std::string token = to_token(url.str());
        (token.size() <= token::kMaxTokenBytes ? largest_accepted : smallest_refused) = token;
    }
    CHECK(largest_accepted.size() == 4095);
    CHECK(smallest_refused.size() == 4097);
    accepted(largest_accepted);
    CHECK(refusal(Code::TooLarge, smallest_refused) == "input token was not properly formatted: token is too large");
    refusal(Code::TooLarge, std::string(100000, 'k'));
}

TEST_CASE("prefix: k8s-aws-v1.", "[token]") {
    CHECK(refusal(Code::MissingPrefix, "k8s-aws-v2.asdfasdfa") ==
          "input token was not properly formatted: token is missing expected \"k8s-aws-v1.\" prefix");
    refusal(Code::MissingPrefix, "");
    refusal(Code::MissingPrefix, "K8S-AWS-V1." + to_token(PresignedUrl{}.str()).substr(11));
    refusal(Code::MissingPrefix, " " + to_token(PresignedUrl{}.str()));
}

TEST_CASE("encoding: unpadded base64url", "[token]") {
    CHECK_THAT(refusal(Code::InvalidBase64, "k8s-aws-v1.decodingerror"),
               Catch::EndsWith("illegal base64 data at input byte 12"));
    const std::string good = to_token(PresignedUrl{}.str());
    refusal(Code::InvalidBase64, good + "=");
    refusal(Code::InvalidBase64, good + "\n");
    refusal(Code::InvalidBase64, "k8s-aws-v1." + base64::encode_standard("https://sts.amazonaws.com/\xfb\xff\xbf"));
    CHECK_THAT(refusal(Code::InvalidBase64, "k8s-aws-v1.aHR0c+M6"), Catch::EndsWith("at input byte 5"));
}

TEST_CASE("URL: readable, https, no user-info, no port", "[token]") {
    CHECK_THAT(refusal(Code::MalformedUrl, to_token(":ab:cd.af:/asda")), Catch::EndsWith("missing protocol scheme"));
    refusal(Code::MalformedUrl, to_token(PresignedUrl{}.str() + "\n"));
    refusal(Code::MalformedUrl, to_token(PresignedUrl{}.str() + " x"));

    PresignedUrl url;
    url.prefix = "http://sts.us-west-2.amazonaws.com/";
    CHECK_THAT(refusal(Code::UnexpectedScheme, url), Catch::EndsWith("unexpected scheme \"http\" in pre-signed URL"));
    url.prefix = "HTTPS://sts.us-west-2.amazonaws.com/";
    refusal(Code::UnexpectedScheme, url);
    url.prefix = "file://sts.us-west-2.amazonaws.com/";
    refusal(Code::UnexpectedScheme, url);

    url.prefix = "https://user:pass@sts.us-west-2.amazonaws.com/";
    refusal(Code::UserInfoPresent, url);
    url.prefix = "https://evil.example@sts.us-west-2.amazonaws.com/";
    refusal(Code::UserInfoPresent, url);

    url.prefix = "https://sts.us-west-2.amazonaws.com:443/";
    CHECK_THAT(refusal(Code::PortPresent, url), Catch::Contains("unexpected port"));
    url.prefix = "https://sts.us-west-2.amazonaws.com:/";
    refusal(Code::PortPresent, url);
}

TEST_CASE("host: only STS endpoints of the partition (no SSRF)", "[token]") {
    const std::pair<const char*, Code> cases[] = {
        {"https://google.com/", Code::UnexpectedHost},
        {"https://169.254.169.254/", Code::UnexpectedHost},
        {"https://localhost/", Code::UnexpectedHost},
        {"https://127.0.0.1/", Code::UnexpectedHost},
        {"https://sts.us-west-2.amazonaws.com.evil.com/", Code::UnexpectedHost},
        {"https://sts.cn-north-1.amazonaws.com.cn/", Code::UnexpectedHost},
        {"https://ec2.us-west-2.amazonaws.com/", Code::UnexpectedHost},
        {"https://sts.s3.amazonaws.com/", Code::UnexpectedHost},
        {"https:///", Code::UnexpectedHost},
        {"https://[::1]/", Code::PortPresent},  // its colons are read as a port
        {"https://sts.amazonaws.com%2F@evil.com/", Code::UserInfoPresent},
    };
    for (const auto& [prefix, code] : cases) {
        PresignedUrl url;
        url.prefix = prefix;
        INFO(prefix);
        refusal(code, url);
    }
    PresignedUrl url;
    url.prefix = "https://google.com/";
    CHECK(refusal(Code::UnexpectedHost, url) ==
          "input token was not properly formatted: could not parse region for pre-signed URL \"google.com\", invalid "
          "host format");
}

TEST_CASE("host: an invented region is refused offline, however well-formed the token", "[token]") {
    // The flood that locked users out: a token for a distinct invented region
    // each, scope and date right, a signature of the right shape.
    PresignedUrl url;
    url.prefix = "https://sts.us-zz123-4.amazonaws.com/";
    url.set("X-Amz-Credential", "X-Amz-Credential=ASIAR2TG44V6AS3ZZE7C%2F20230428%2Fus-zz123-4%2Fsts%2Faws4_request");
    CHECK_THAT(refusal(Code::UnknownRegion, to_token(url.str())),
               Catch::EndsWith("list it in server.stsRegions (--sts-regions)"));
    token::VerifierSettings listed = settings();
    listed.sts_regions = {"us-zz123-4"};
    CHECK(accepted(to_token(url.str()), kNow, listed).sts_region == "us-zz123-4");
    token::VerifierSettings own = settings();
    own.region = "us-zz123-4";
    CHECK(accepted(to_token(url.str()), kNow, own).sts_region == "us-zz123-4");
}

TEST_CASE("path: exactly /", "[token]") {
    PresignedUrl url;
    for (const char* prefix : {"https://sts.us-west-2.amazonaws.com/abc", "https://sts.us-west-2.amazonaws.com",
                               "https://sts.us-west-2.amazonaws.com//", "https://sts.us-west-2.amazonaws.com/%2F",
                               "https://sts.us-west-2.amazonaws.com/./"}) {
        url.prefix = prefix;
        INFO(prefix);
        CHECK(refusal(Code::UnexpectedPath, url) ==
              "input token was not properly formatted: unexpected path in pre-signed URL");
    }
    url.prefix = "https://sts.cn-north-1.amazonaws.com.cn/abc";
    CHECK_THAT(refusal(Code::UnexpectedPath, to_token(url.str()), kNow, settings("aws-cn")),
               Catch::EndsWith("unexpected path in pre-signed URL"));
}

TEST_CASE("fragment: none", "[token]") {
    refusal(Code::FragmentPresent, to_token(PresignedUrl{}.str() + "#"));
    refusal(Code::FragmentPresent, to_token(PresignedUrl{}.str() + "#X-Amz-Credential=x"));
}

TEST_CASE("query: well-formed", "[token]") {
    CHECK_THAT(refusal(Code::MalformedQuery, PresignedUrl{}.set("X-Amz-Expires", "X-Amz-Expires=60%gh")),
               Catch::StartsWith("input token was not properly formatted: malformed query parameter"));
    refusal(Code::MalformedQuery, PresignedUrl{}.set("X-Amz-Expires", "X-Amz-Expires=60;x=1"));
    // Go's parser refuses a literal ';' too; clients write %3B.
    refusal(Code::MalformedQuery, PresignedUrl{}.set("X-Amz-SignedHeaders", "X-Amz-SignedHeaders=host;x-k8s-aws-id"));
    refusal(Code::MalformedQuery, PresignedUrl{}.set("X-Amz-Expires", "X-Amz-Expires=6+0"));
    refusal(Code::MalformedQuery, PresignedUrl{}.set("Version", "Version=%"));
}

TEST_CASE("query: a name repeated in another letter case (CVE-2022-2385)", "[token]") {
    // Upstream's regression case: a second, unsigned credential the server
    // might read while STS verifies the signed one.
    CHECK_THAT(refusal(Code::DuplicateParameter, PresignedUrl{}.add("x-amz-credential=eve")),
               Catch::EndsWith("duplicate query parameter found: \"x-amz-credential\""));
    refusal(Code::DuplicateParameter, PresignedUrl{}.add("action=GetCallerIdentity"));
    refusal(Code::DuplicateParameter, PresignedUrl{}.add("X-AMZ-SIGNEDHEADERS=host%3Bx-k8s-aws-id"));
    // Spelled with a percent-escape: the decoded names collide.
    refusal(Code::DuplicateParameter, PresignedUrl{}.add("x-amz-%63redential=eve"));
    // Two names outside the allow-list collide first, as upstream orders it.
    refusal(Code::DuplicateParameter, PresignedUrl{}.add("Foo=1").add("foo=2"));
}

TEST_CASE("query: only allow-listed names", "[token]") {
    CHECK_THAT(refusal(Code::ParameterNotAllowed, PresignedUrl{}.add("NoInWhiteList=abc")),
               Catch::EndsWith("non-whitelisted query parameter \"NoInWhiteList\""));
    refusal(Code::ParameterNotAllowed, PresignedUrl{}.add("X-Amz-Content-Sha256=UNSIGNED-PAYLOAD"));
    refusal(Code::ParameterNotAllowed, PresignedUrl{}.add("RoleArn=arn:aws:iam::111122223333:role/x"));
    refusal(Code::ParameterNotAllowed, PresignedUrl{}.add("=empty-name"));
    refusal(Code::ParameterNotAllowed, PresignedUrl{}.add("bare"));
    // The name is quoted so a hostile one cannot break the log line.
    CHECK_THAT(refusal(Code::ParameterNotAllowed, PresignedUrl{}.add("a%0Ab=1")),
               Catch::EndsWith("non-whitelisted query parameter \"a\\nb\""));
}

TEST_CASE("query: each name once", "[token]") {
    CHECK_THAT(refusal(Code::MultipleValues, PresignedUrl{}.add("X-Amz-Date=20230428T000000Z")),
               Catch::EndsWith("query parameter with multiple values not supported"));
    refusal(Code::MultipleValues, PresignedUrl{}.add("Action=GetCallerIdentity"));
    // An escape that decodes to the same spelling is the same name.
    refusal(Code::MultipleValues, PresignedUrl{}.add("X-Amz-%43redential=eve"));
}

TEST_CASE("Action: GetCallerIdentity", "[token]") {
    const std::string expected =
        "input token was not properly formatted: unexpected action parameter in pre-signed URL";
    CHECK(refusal(Code::UnexpectedAction, PresignedUrl{}.set("Action", "Action=AssumeRole")) == expected);
    refusal(Code::UnexpectedAction, PresignedUrl{}.set("Action", "Action=getcalleridentity"));
    refusal(Code::UnexpectedAction, PresignedUrl{}.set("Action", "Action=GetCallerIdentity%00"));
    refusal(Code::UnexpectedAction, PresignedUrl{}.remove("Action"));
}

TEST_CASE("X-Amz-SignedHeaders: x-k8s-aws-id and host", "[token]") {
    const std::string expected =
        "input token was not properly formatted: client did not sign the x-k8s-aws-id header in the pre-signed URL";
    CHECK(refusal(Code::ClusterIdNotSigned, PresignedUrl{}.set("X-Amz-SignedHeaders", "X-Amz-SignedHeaders=host")) ==
          expected);
    refusal(Code::ClusterIdNotSigned,
            PresignedUrl{}.set("X-Amz-SignedHeaders", "X-Amz-SignedHeaders=abc%3bx-k8s-aws-i%3bdef"));
    refusal(Code::ClusterIdNotSigned,
            PresignedUrl{}.set("X-Amz-SignedHeaders", "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id2"));
    refusal(Code::ClusterIdNotSigned, PresignedUrl{}.remove("X-Amz-SignedHeaders"));

    for (const char* bad : {"host%3B%3Bx-k8s-aws-id", "host%3Bx-k8s-aws-id%3B", "host%3Bx%20y%3Bx-k8s-aws-id",
                            "host%3Bx-k8s-aws-id%3Bx_y"}) {
        INFO(bad);
        refusal(Code::MalformedSignedHeaders,
                PresignedUrl{}.set("X-Amz-SignedHeaders", std::string("X-Amz-SignedHeaders=") + bad));
    }
    CHECK(refusal(Code::HostNotSigned, PresignedUrl{}.set("X-Amz-SignedHeaders", "X-Amz-SignedHeaders=x-k8s-aws-id")) ==
          "input token was not properly formatted: client did not sign the host header in the pre-signed URL");
    refusal(Code::HostNotSigned, PresignedUrl{}.set("X-Amz-SignedHeaders", "X-Amz-SignedHeaders=hostx%3Bx-k8s-aws-id"));
}

TEST_CASE("X-Amz-Expires: an integer from 0 to 900", "[token]") {
    CHECK(refusal(Code::InvalidExpires, PresignedUrl{}.set("X-Amz-Expires", "X-Amz-Expires=9999999")) ==
          "input token was not properly formatted: invalid X-Amz-Expires parameter in pre-signed URL: \"9999999\"");
    for (const char* bad : {"901", "-1", "%2B60", "60s", "", "1e2", "%2060", "99999999999999999999"}) {
        INFO(bad);
        refusal(Code::InvalidExpires, PresignedUrl{}.set("X-Amz-Expires", std::string("X-Amz-Expires=") + bad));
    }
    refusal(Code::InvalidExpires, PresignedUrl{}.remove("X-Amz-Expires"));
}

TEST_CASE("X-Amz-Date: present and well-formed", "[token]") {
    CHECK(refusal(Code::MissingDate, PresignedUrl{}.remove("X-Amz-Date")) ==
          "input token was not properly formatted: X-Amz-Date parameter must be present in pre-signed URL");
    refusal(Code::MissingDate, PresignedUrl{}.set("X-Amz-Date", "X-Amz-Date="));
    CHECK_THAT(refusal(Code::InvalidDate, PresignedUrl{}.set("X-Amz-Date", "X-Amz-Date=xxxxxxx")),
               Catch::Contains("error parsing X-Amz-Date parameter \"xxxxxxx\" into format 20060102T150405Z: "));
    refusal(Code::InvalidDate, PresignedUrl{}.set("X-Amz-Date", "X-Amz-Date=20230230T000000Z"));
    refusal(Code::InvalidDate, PresignedUrl{}.set("X-Amz-Date", "X-Amz-Date=2023-04-28T00:00:00Z"));
}

TEST_CASE("X-Amz-Date: within 15 minutes, not from the future", "[token]") {
    const PresignedUrl url;
    accepted(url, kSignedAt);
    accepted(url, kSignedAt + minutes{15});
    CHECK(refusal(Code::Expired, to_token(url.str()), kSignedAt + minutes{15} + seconds{1}) ==
          "input token was not properly formatted: X-Amz-Date parameter is expired (15 minute expiration) "
          "2023-04-28 00:00:00 +0000 UTC");
    refusal(Code::Expired, to_token(url.str()), kSignedAt + std::chrono::hours{24 * 365});
    refusal(Code::Expired,
            PresignedUrl{}
                .set("X-Amz-Date", "X-Amz-Date=19900422T010203Z")
                .set("X-Amz-Credential",
                     "X-Amz-Credential=ASIAR2TG44V6AS3ZZE7C%2F19900422%2Fus-west-2%2Fsts%2Faws4_request"));

    // Signed up to the allowed skew (default 5 minutes) ahead of our clock.
    accepted(url, kSignedAt - minutes{5});
    CHECK_THAT(refusal(Code::NotYetValid, to_token(url.str()), kSignedAt - minutes{5} - seconds{1}),
               Catch::EndsWith("X-Amz-Date parameter is in the future 2023-04-28 00:00:00 +0000 UTC (allowed clock "
                               "skew 300s)"));
    token::VerifierSettings strict = settings();
    strict.max_clock_skew = seconds{0};
    accepted(to_token(url.str()), kSignedAt, strict);
    refusal(Code::NotYetValid, to_token(url.str()), kSignedAt - seconds{1}, strict);
}

TEST_CASE("within_window agrees with validate's time checks, at every edge and skew", "[token]") {
    // A cache hit is answered on within_window alone: it must accept exactly
    // when validate would, for a token that passed every other check.
    const std::string token = to_token(PresignedUrl{}.str());
    int accepted_count = 0;
    int refused_count = 0;
    for (const seconds skew : std::initializer_list<seconds>{seconds{0}, seconds{1}, minutes{5}}) {
        token::VerifierSettings s = settings();
        s.max_clock_skew = skew;
        const token::TokenValidator checker = validator(s);
        for (const seconds offset : std::initializer_list<seconds>{-skew - seconds{1}, -skew, seconds{0}, minutes{15},
                                                                   minutes{15} + seconds{1}, std::chrono::hours{24}}) {
            const amz_time::Seconds now = kSignedAt + offset;
            INFO("skew " << skew.count() << " s, now signed_at + " << offset.count() << " s");
            const bool valid = checker.validate(token, now).ok();
            CHECK(checker.within_window(kSignedAt, now) == valid);
            ++(valid ? accepted_count : refused_count);
        }
    }
    CHECK(accepted_count == 9);  // -skew, 0 and 15 minutes, at each skew
    CHECK(refused_count == 9);
}

TEST_CASE("Version: present", "[token]") {
    CHECK(refusal(Code::MissingVersion, PresignedUrl{}.remove("Version")) ==
          "input token was not properly formatted: Version parameter must be present in pre-signed URL");
    refusal(Code::MissingVersion, PresignedUrl{}.set("Version", "Version="));
}

TEST_CASE("X-Amz-Algorithm: AWS4-HMAC-SHA256", "[token]") {
    CHECK_THAT(refusal(Code::UnexpectedAlgorithm,
                       PresignedUrl{}.set("X-Amz-Algorithm", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256")),
               Catch::EndsWith("unexpected X-Amz-Algorithm parameter in pre-signed URL: \"AWS4-ECDSA-P256-SHA256\", "
                               "want AWS4-HMAC-SHA256"));
    refusal(Code::UnexpectedAlgorithm, PresignedUrl{}.set("X-Amz-Algorithm", "X-Amz-Algorithm=aws4-hmac-sha256"));
    refusal(Code::UnexpectedAlgorithm, PresignedUrl{}.remove("X-Amz-Algorithm"));
}

TEST_CASE("X-Amz-Credential: AKID/yyyymmdd/region/sts/aws4_request on X-Amz-Date's day", "[token]") {
    const auto with_credential = [](std::string value) {
        return PresignedUrl{}.set("X-Amz-Credential", "X-Amz-Credential=" + value);
    };
    CHECK(refusal(Code::MalformedCredential, PresignedUrl{}.remove("X-Amz-Credential")) ==
          "input token was not properly formatted: X-Amz-Credential parameter must be present in pre-signed URL");
    CHECK_THAT(refusal(Code::MalformedCredential, with_credential("ASIAR2TG44V6AS3ZZE7C%2F20230428%2Fus-west-2%2Fsts")),
               Catch::EndsWith(": want <access key id>/<yyyymmdd>/<region>/sts/aws4_request"));
    for (const char* bad : {"eve", "ASIAR2TG44V6AS3ZZE7C%2F20230428%2Fus-west-2%2Fsts%2Faws4_request%2Fx",
                            "%2F20230428%2Fus-west-2%2Fsts%2Faws4_request",
                            "asiar2tg44v6as3zze7c%2F20230428%2Fus-west-2%2Fsts%2Faws4_request",
                            "ASIA%20X%2F20230428%2Fus-west-2%2Fsts%2Faws4_request",
                            "ASIAR2TG44V6AS3ZZE7C%2F2023042%2Fus-west-2%2Fsts%2Faws4_request",
                            "ASIAR2TG44V6AS3ZZE7C%2F20230428%2Fus_west_2%2Fsts%2Faws4_request",
                            "ASIAR2TG44V6AS3ZZE7C%2F20230428%2Fus-west-2%2Fs3%2Faws4_request",
                            "ASIAR2TG44V6AS3ZZE7C%2F20230428%2Fus-west-2%2Fsts%2Faws4_requesT"}) {
        INFO(bad);
        refusal(Code::MalformedCredential, with_credential(bad));
    }
    CHECK_THAT(refusal(Code::CredentialDateMismatch,
                       with_credential("ASIAR2TG44V6AS3ZZE7C%2F20230427%2Fus-west-2%2Fsts%2Faws4_request")),
               Catch::EndsWith("X-Amz-Credential date 20230427 does not match X-Amz-Date 20230428T000000Z"));
    CHECK_THAT(
        refusal(Code::CredentialRegionMismatch,
                with_credential("ASIAR2TG44V6AS3ZZE7C%2F20230428%2Fcn-north-1%2Fsts%2Faws4_request")),
        Catch::EndsWith("X-Amz-Credential region cn-north-1 does not match the STS endpoint's region us-west-2"));
    PresignedUrl global;
    global.prefix = "https://sts.amazonaws.com/";  // signed for us-east-1, not us-west-2
    CHECK_THAT(refusal(Code::CredentialRegionMismatch, global),
               Catch::EndsWith("does not match the STS endpoint's region us-east-1"));
}

TEST_CASE("X-Amz-Security-Token: not empty when given", "[token]") {
    CHECK(refusal(Code::EmptySecurityToken, PresignedUrl{}.set("X-Amz-Security-Token", "X-Amz-Security-Token=")) ==
          "input token was not properly formatted: X-Amz-Security-Token parameter must not be empty");
    refusal(Code::EmptySecurityToken, PresignedUrl{}.set("X-Amz-Security-Token", "X-Amz-Security-Token"));
}

TEST_CASE("X-Amz-Signature: 64 lower-case hex digits", "[token]") {
    refusal(Code::MalformedSignature, PresignedUrl{}.remove("X-Amz-Signature"));
    refusal(Code::MalformedSignature, PresignedUrl{}.set("X-Amz-Signature", "X-Amz-Signature=999999999999999999"));
    std::string upper(kSignature);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return static_cast<char>(std::toupper(c)); });
    refusal(Code::MalformedSignature, PresignedUrl{}.set("X-Amz-Signature", "X-Amz-Signature=" + upper));
    refusal(Code::MalformedSignature,
            PresignedUrl{}.set("X-Amz-Signature", "X-Amz-Signature=" + std::string(kSignature).substr(1) + "g"));
}

TEST_CASE("checks run in upstream's order", "[token]") {
    // A token breaking several rules reports the one upstream would report;
    // our extra checks come after upstream's.
    PresignedUrl url;
    url.prefix = "https://sts.us-west-2.amazonaws.com/abc";
    url.add("Foo=1");
    CHECK(validate(to_token(url.str())).error().code == Code::UnexpectedPath);

    url.prefix = "https://sts.us-west-2.amazonaws.com/";
    url.set("Action", "Action=AssumeRole");
    CHECK(validate(to_token(url.str())).error().code == Code::ParameterNotAllowed);

    url.remove("Foo").set("X-Amz-SignedHeaders", "X-Amz-SignedHeaders=host");
    CHECK(validate(to_token(url.str())).error().code == Code::UnexpectedAction);

    PresignedUrl late = PresignedUrl{}.remove("Version").remove("X-Amz-Signature");
    CHECK(validate(to_token(late.str()), kSignedAt + minutes{16}).error().code == Code::Expired);
    CHECK(validate(to_token(late.str())).error().code == Code::MissingVersion);
}
