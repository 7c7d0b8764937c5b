#include <catch2/catch.hpp>

#include <random>

#include "core/review/plain_token_review.hpp"
#include "core/review/token_review.hpp"
#include "support/mangle.hpp"

using namespace aia;

namespace {

constexpr int kDepth = 8;  // as parse_token_review uses

bool plain(std::string_view body) { return review::parse_plain_token_review(body, kDepth).has_value(); }

}  // namespace

TEST_CASE("plain TokenReview: what kube-apiserver sends takes the fast path", "[review]") {
    const std::string body =
        R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},)"
        R"("spec":{"token":"k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9u","audiences":["https://kubernetes.default.svc"]},)"
        R"("status":{"user":{}}})";
    const auto fast = review::parse_plain_token_review(body, kDepth);
    REQUIRE(fast);
    CHECK(fast->api_version == "authentication.k8s.io/v1");
    CHECK(fast->token == "k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9u");

    const auto spaced = review::parse_plain_token_review(
        " {\n \"spec\" : { \"token\" : \"t\" , \"n\": -12 } "
        ",\"x\":[true,false,null,0,{}],\"apiVersion\":\"authentication.k8s.io/v1beta1\"}\r\n",
        kDepth);
    REQUIRE(spaced);
    CHECK(spaced->token == "t");
    CHECK(spaced->api_version == "authentication.k8s.io/v1beta1");
}

TEST_CASE("plain TokenReview: any doubt goes to the general parser", "[review]") {
    CHECK_FALSE(plain(R"({"spec":{"token":"k8s-aws-v1.\u0061"}})"));                      // an escape
    CHECK_FALSE(plain(R"({"api\u0056ersion":"authentication.k8s.io/v2"})"));              // an escaped key
    CHECK_FALSE(plain(R"({"apiVersion":"authentication.k8s.io/v1","apiVersion":"x"})"));  // repeated
    CHECK_FALSE(plain(R"({"spec":{"token":"a"},"spec":{}})"));                            // repeated spec
    CHECK_FALSE(plain(R"({"spec":{"token":"a","token":"b"}})"));                          // repeated token
    CHECK_FALSE(plain(R"({"apiVersion":null})"));                                         // not a string
    CHECK_FALSE(plain(R"({"spec":{"token":1}})"));
    CHECK_FALSE(plain(R"({"spec":[]})"));
    CHECK_FALSE(plain(R"({"kind":"Other"})"));
    CHECK_FALSE(plain(R"({"apiVersion":"authentication.k8s.io/v2"})"));
    CHECK_FALSE(plain(R"({"x":1.5})"));  // not an integer
    CHECK_FALSE(plain(R"({"x":1e3})"));
    CHECK_FALSE(plain(R"({"x":012})"));
    CHECK_FALSE(plain(R"({"x":1234567890123456})"));   // 16 digits
    CHECK_FALSE(plain("{\"x\":\"caf\xc3\xa9\"}"));     // not ASCII
    CHECK_FALSE(plain("\xef\xbb\xbf{}"));              // a byte-order mark
    CHECK_FALSE(plain(R"({} {})"));                    // trailing content
    CHECK_FALSE(plain(R"({"a":[[[[[[[[1]]]]]]]]})"));  // deeper than 8
    CHECK(plain(R"({"a":[[[[[[1]]]]]]})"));            // 8 deep exactly
    CHECK_FALSE(plain(R"({"a":tru})"));
    CHECK_FALSE(plain(R"({"a" 1})"));
    CHECK_FALSE(plain(R"({"a":1,})"));
    CHECK_FALSE(plain(""));
    CHECK_FALSE(plain("[]"));
}

// Random TokenReview-like bodies, some mangled: whenever the fast path
// answers, the general parser must accept the body and agree.
TEST_CASE("plain TokenReview: the fast path never disagrees with the general parser", "[review]") {
    std::mt19937 random(20261123);
    const auto pick = [&](std::initializer_list<std::string_view> options) {
        return std::string(*(options.begin() + random() % options.size()));
    };
    const auto space = [&] { return pick({"", "", " ", "\n  ", "\t", "\r\n"}); };
    const auto scalar = [&] {
        return pick({"1", "-7", "0", "1.5", "2e3", "true", "false", "null", R"("x")", R"("\n")", R"("\u00e9")",
                     "\"\xc3\xa9\"", "[]", "{}", R"([1,{"a":[null]}])", R"({"creationTimestamp":null})"});
    };
    const std::string junk = "{}[]\":,\\ \t\n0123456789.eE+-tfnulxabc\xc3\xa9\x01";

    int fast = 0;
    for (int round = 0; round < 20000; ++round) {
        std::vector<std::string> members;
        if (random() % 5 != 0) {
            members.push_back(R"("apiVersion":)" + space() +
                              pick({R"("authentication.k8s.io/v1")", R"("authentication.k8s.io/v1beta1")",
                                    R"("authentication.k8s.io/v2")", "1", "null"}));
        }
        if (random() % 3 != 0) members.push_back(R"("kind":)" + pick({R"("TokenReview")", R"("Other")", "[]"}));
        if (random() % 6 != 0) {
            std::string spec = "{" + space();
            if (random() % 5 != 0) {
                spec += R"("token":)" + space() +
                        pick({R"("k8s-aws-v1.abc_-")", R"("")", R"("k8s\u002daws")", "7", "null", R"("t\"q")"});
            }
            if (random() % 3 == 0) spec += R"(,"audiences":[)" + scalar() + "]";
            if (random() % 10 == 0) spec += R"(,"token":"second")";
            spec += space() + "}";
            members.push_back(R"("spec":)" + space() + (random() % 10 == 0 ? scalar() : spec));
        }
        for (auto extra = random() % 3; extra > 0; --extra) {
            members.push_back("\"" + pick({"metadata", "status", "x", "apiVersion", "spec", "kind"}) +
                              "\":" + scalar());
        }
        std::shuffle(members.begin(), members.end(), random);
        std::string body = space() + "{";
        for (std::size_t i = 0; i < members.size(); ++i) body += (i ? "," : "") + space() + members[i] + space();
        body += "}" + space();
        test::maybe_mangle(body, random, junk);

        const auto quick = review::parse_plain_token_review(body, kDepth);
        if (!quick) continue;
        ++fast;
        INFO(body);
        const auto general = review::parse_token_review_general(body);
        REQUIRE(general.ok());
        CHECK(general->api_version == quick->api_version);
        CHECK(general->token == quick->token);
    }
    CHECK(fast > 800);  // the property was tested on many bodies, not a handful
}
