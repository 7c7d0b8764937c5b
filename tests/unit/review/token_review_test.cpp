#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>

#include "core/review/token_review.hpp"

using namespace aia;
using nlohmann::json;

TEST_CASE("TokenReview requests of both versions", "[review]") {
    const auto v1 = review::parse_token_review(
        R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"k8s-aws-v1.abc","audiences":["x"]}})");
    REQUIRE(v1.ok());
    CHECK(v1->api_version == "authentication.k8s.io/v1");
    CHECK(v1->token == "k8s-aws-v1.abc");

    const auto beta = review::parse_token_review(
        R"({"apiVersion":"authentication.k8s.io/v1beta1","kind":"TokenReview","metadata":{"creationTimestamp":null},"spec":{"token":"t"},"status":{}})");
    REQUIRE(beta.ok());
    CHECK(beta->api_version == "authentication.k8s.io/v1beta1");
}

TEST_CASE("what upstream accepts loosely", "[review]") {
    // No apiVersion: decoded as v1beta1, as upstream does.
    CHECK(review::parse_token_review(R"({"spec":{"token":"t"}})")->api_version == "authentication.k8s.io/v1beta1");
    // No token: an empty one, which the validator then refuses (403, not 400).
    CHECK(review::parse_token_review(R"({"apiVersion":"authentication.k8s.io/v1"})")->token.empty());
    CHECK(review::parse_token_review("{}").ok());
}

TEST_CASE("bodies that are not a TokenReview", "[review]") {
    CHECK(review::parse_token_review("").error() == "body is not valid JSON");
    CHECK(review::parse_token_review("{\"spec\":").error() == "body is not valid JSON");
    CHECK(review::parse_token_review("[1]").error() == "body is not a JSON object");
    CHECK(review::parse_token_review(R"({"apiVersion":"authentication.k8s.io/v2"})").error() ==
          "unsupported apiVersion");
    CHECK(review::parse_token_review(R"({"apiVersion":1})").error() == "apiVersion is not a string");
    CHECK(review::parse_token_review(R"({"kind":"SubjectAccessReview"})").error() == "kind is not TokenReview");
    CHECK(review::parse_token_review(R"({"spec":"x"})").error() == "spec is not an object");
    CHECK(review::parse_token_review(R"({"spec":{"token":42}})").error() == "spec.token is not a string");
    CHECK(review::parse_token_review(std::string(10000, '[')).error() == "body nested too deeply");
}

TEST_CASE("an authenticated answer carries the user", "[review]") {
    review::ReviewedUser user{"alice",
                              "aws-iam-authenticator:111122223333:AIDA",
                              {"system:masters", "devs"},
                              {{"arn", {"arn:aws:iam::111122223333:user/alice"}}, {"sessionName", {""}}}};
    const json answer = json::parse(review::render_authenticated("authentication.k8s.io/v1", user));
    CHECK(answer["apiVersion"] == "authentication.k8s.io/v1");
    CHECK(answer["kind"] == "TokenReview");
    CHECK(answer["status"]["authenticated"] == true);
    CHECK(answer["status"]["user"]["username"] == "alice");
    CHECK(answer["status"]["user"]["uid"] == "aws-iam-authenticator:111122223333:AIDA");
    CHECK(answer["status"]["user"]["groups"] == json::array({"system:masters", "devs"}));
    CHECK(answer["status"]["user"]["extra"]["arn"] == json::array({"arn:aws:iam::111122223333:user/alice"}));
    CHECK(answer["status"]["user"]["extra"]["sessionName"] == json::array({""}));
}

TEST_CASE("empty groups and extras are left out, as upstream omits them", "[review]") {
    const json answer = json::parse(
        review::render_authenticated("authentication.k8s.io/v1beta1", {"arn:aws:iam::1:root", "uid", {}, {}}));
    CHECK(answer["apiVersion"] == "authentication.k8s.io/v1beta1");
    CHECK_FALSE(answer["status"]["user"].contains("groups"));
    CHECK_FALSE(answer["status"]["user"].contains("extra"));
}

TEST_CASE("a denial says authenticated false and nothing else", "[review]") {
    const json answer = json::parse(review::render_denied("authentication.k8s.io/v1"));
    CHECK(answer["apiVersion"] == "authentication.k8s.io/v1");
    CHECK(answer["status"]["authenticated"] == false);
    CHECK(answer["status"]["user"].empty());
}

TEST_CASE("strings are escaped, and invalid UTF-8 cannot break the answer", "[review]") {
    const std::string body = review::render_authenticated("authentication.k8s.io/v1", {"a\"b\n\xff", "u", {}, {}});
    CHECK(json::parse(body)["status"]["user"]["username"] == "a\"b\n\xef\xbf\xbd");
}

TEST_CASE("the direct rendering is byte for byte the general one", "[review]") {
    std::mt19937 random(7);
    // Characters JSON carries as they are; every third round also ones it escapes.
    const std::string plain = "abcXYZ019:-_.@/+= ~{}[],'`";
    const std::string escaped = plain + "\"\\";
    const std::string* alphabet = &plain;
    const auto text = [&](std::size_t max) {
        std::string out;
        const std::size_t n = random() % (max + 1);
        for (std::size_t i = 0; i < n; ++i) out += (*alphabet)[random() % alphabet->size()];
        return out;
    };
    for (int round = 0; round < 3000; ++round) {
        alphabet = round % 3 == 2 ? &escaped : &plain;
        review::ReviewedUser user{text(40), text(60), {}, {}};
        for (std::size_t g = random() % 4; g > 0; --g) user.groups.push_back(text(20));
        for (std::size_t e = random() % 4; e > 0; --e) {
            std::vector<std::string> values;
            for (std::size_t v = random() % 3; v > 0; --v) values.push_back(text(30));
            user.extra.emplace_back(text(12), values);
        }
        const std::string_view version = round % 4 < 2 ? "authentication.k8s.io/v1" : "authentication.k8s.io/v1beta1";
        INFO(review::render_authenticated_general(version, user));
        CHECK(review::render_authenticated(version, user) == review::render_authenticated_general(version, user));
    }
    // Values that need escaping, and repeated extra keys, take the general path and still agree.
    const review::ReviewedUser awkward{"a\"b\\c\n\xc3\xa9", "u\x01", {"g\""}, {{"k", {"1"}}, {"k", {"2"}}}};
    CHECK(review::render_authenticated("authentication.k8s.io/v1", awkward) ==
          review::render_authenticated_general("authentication.k8s.io/v1", awkward));
}
