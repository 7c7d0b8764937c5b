#include <catch2/catch.hpp>

#include <random>

#include "core/identity/sts_answer.hpp"
#include "support/mangle.hpp"

using namespace aia;
using arn::PrincipalType;

namespace {

token::PresignedRequest request() {
    token::PresignedRequest r;
    r.host = "sts.us-west-2.amazonaws.com";
    r.access_key_id = "ASIAR2TG44V6AS3ZZE7C";
    return r;
}

std::string answer(std::string_view account, std::string_view arn, std::string_view user_id) {
    return R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":")" + std::string(account) +
           R"(","Arn":")" + std::string(arn) + R"(","UserId":")" + std::string(user_id) +
           R"("},"ResponseMetadata":{"RequestId":"8c2d3520-24e1-4d5c-ac55-7e226335f447"}}})";
}

identity::Identity identity_of(std::string_view body) {
    auto result = identity::identity_from_sts_body(body, request());
    if (!result) FAIL(result.error().message());
    return std::move(result).value();
}

std::string refusal(std::string_view body) {
    const auto result = identity::identity_from_sts_body(body, request());
    if (result) FAIL("accepted " << body);
    const std::string message = result.error().message();
    CHECK_THAT(message, Catch::StartsWith("sts getCallerIdentity failed: "));
    return message;
}

}  // namespace

TEST_CASE("a role session: role ARN, role id and session name", "[identity]") {
    const auto id = identity_of(answer("111122223333", "arn:aws:sts::111122223333:assumed-role/Admin/admin-session",
                                       "AROAIIRR6I5NDJBWMIRQQ:admin-session"));
    CHECK(id.arn == "arn:aws:sts::111122223333:assumed-role/Admin/admin-session");
    CHECK(id.canonical_arn == "arn:aws:iam::111122223333:role/Admin");
    CHECK(id.principal_type == PrincipalType::AssumedRole);
    CHECK(id.account_id == "111122223333");
    CHECK(id.user_id == "AROAIIRR6I5NDJBWMIRQQ");
    CHECK(id.session_name == "admin-session");
    CHECK(id.access_key_id == "ASIAR2TG44V6AS3ZZE7C");
    CHECK(id.sts_host == "sts.us-west-2.amazonaws.com");
}

TEST_CASE("users, root and federated users keep the whole UserId", "[identity]") {
    const auto user =
        identity_of(answer("111122223333", "arn:aws:iam::111122223333:user/Alice", "AIDAIOSFODNN7EXAMPLE"));
    CHECK(user.principal_type == PrincipalType::User);
    CHECK(user.canonical_arn == "arn:aws:iam::111122223333:user/Alice");
    CHECK(user.user_id == "AIDAIOSFODNN7EXAMPLE");
    CHECK(user.session_name.empty());

    const auto root = identity_of(answer("111122223333", "arn:aws:iam::111122223333:root", "111122223333"));
    CHECK(root.principal_type == PrincipalType::Root);
    CHECK(root.user_id == "111122223333");

    // Cutting at ':' would leave the account ID: the root's UserId.
    const auto federated =
        identity_of(answer("111122223333", "arn:aws:sts::111122223333:federated-user/Bob", "111122223333:Bob"));
    CHECK(federated.principal_type == PrincipalType::FederatedUser);
    CHECK(federated.user_id == "111122223333:Bob");
    CHECK(federated.session_name.empty());
}

TEST_CASE("role UserIds must be <id>:<session> matching the ARN", "[identity]") {
    const auto arn = "arn:aws:sts::111122223333:assumed-role/Admin/s1";
    CHECK_THAT(refusal(answer("111122223333", arn, "AROAIIRR6I5NDJBWMIRQQ")),
               Catch::EndsWith("malformed UserID \"AROAIIRR6I5NDJBWMIRQQ\""));
    refusal(answer("111122223333", arn, "AROA:s1:extra"));
    refusal(answer("111122223333", arn, ":s1"));
    refusal(answer("111122223333", arn, "AROA:"));
    CHECK_THAT(refusal(answer("111122223333", arn, "AROA:s2")), Catch::Contains("does not match Arn"));
}

TEST_CASE("the answer's parts must agree", "[identity]") {
    CHECK_THAT(refusal(answer("999999999999", "arn:aws:iam::111122223333:user/Alice", "AIDA")),
               Catch::Contains("does not match the account of Arn"));
    CHECK_THAT(refusal(answer("111122223333", "arn:aws:s3:::bucket", "AIDA")),
               Catch::Contains("is not a valid service for identities"));
    refusal(answer("111122223333", "arn:aws:sts::111122223333:assumed-role/Admin", "AROA:s"));
}

TEST_CASE("malformed answers are refused", "[identity]") {
    CHECK_THAT(refusal(""), Catch::EndsWith("answer is not valid JSON"));
    CHECK_THAT(refusal("{"), Catch::EndsWith("answer is not valid JSON"));
    CHECK_THAT(refusal("[]"), Catch::EndsWith("answer is not a JSON object"));
    CHECK_THAT(refusal(R"({"Error":{"Code":"Throttling"}})"),
               Catch::EndsWith("missing GetCallerIdentityResponse object"));
    CHECK_THAT(refusal(R"({"GetCallerIdentityResponse":{}})"),
               Catch::EndsWith("missing GetCallerIdentityResult object"));
    CHECK_THAT(refusal(R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"x","UserId":"y"}}})"),
               Catch::EndsWith("missing Account"));
    CHECK_THAT(
        refusal(
            R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":111122223333,"Arn":"x","UserId":"y"}}})"),
        Catch::EndsWith("Account is not a string"));
    CHECK_THAT(refusal(answer("111122223333", "", "AIDA")), Catch::EndsWith("Arn is empty"));
    CHECK_THAT(refusal(answer("111122223333", "arn:aws:iam::111122223333:user/A\\nB", "AIDA")),
               Catch::EndsWith("Arn contains a space, control or non-ASCII character"));
    // The upstream test server's flat shape is not what STS sends.
    refusal(R"({"UserId":"AROA:s","Account":"111122223333","Arn":"arn:aws:sts::111122223333:assumed-role/A/s"})");
}

TEST_CASE("hostile answers are refused cheaply", "[identity]") {
    CHECK_THAT(refusal(std::string(identity::kMaxStsAnswerBytes + 1, ' ')), Catch::Contains("answer larger than"));
    CHECK_THAT(refusal(std::string(5000, '[') + std::string(5000, ']')), Catch::EndsWith("answer nested too deeply"));
    // Brackets inside strings do not count as nesting.
    const auto id =
        identity_of(R"({"x":"[[[[[[[[[[[[[[[[[[[[","GetCallerIdentityResponse":{"GetCallerIdentityResult":)"
                    R"({"Account":"111122223333","Arn":"arn:aws:iam::111122223333:root","UserId":"111122223333"}}})");
    CHECK(id.principal_type == PrincipalType::Root);
    refusal("{\"GetCallerIdentityResponse\":{\"GetCallerIdentityResult\":{\"Account\":\"\xff\"}}}");
}

// Answers as STS writes them are read in place; every other body goes
// through nlohmann. Random answer-like bodies, some mangled: the two paths
// of parse_sts_answer must give the same answer or the same error.
TEST_CASE("STS answers: the fast path never disagrees with the general parser", "[sts-answer]") {
    std::mt19937 random(1123);
    const auto pick = [&](std::initializer_list<std::string_view> options) {
        return std::string(*(options.begin() + random() % options.size()));
    };
    const auto space = [&] { return pick({"", "", "", " ", "\n", "\t "}); };
    const std::string junk = "{}[]\":,\\ \t\n0123456789.eE+-tfnulxAr\xc3\xa9\x01";
    int compared_ok = 0;
    for (int round = 0; round < 20000; ++round) {
        std::vector<std::string> fields;
        const auto field = [&](std::string_view name, std::initializer_list<std::string_view> values) {
            if (random() % 12 != 0) fields.push_back("\"" + std::string(name) + "\":" + space() + pick(values));
        };
        field("Account", {R"("111122223333")", R"("111122223333")", R"("")", "111122223333", R"("1111 22223333")"});
        field("Arn", {R"("arn:aws:iam::111122223333:user/alice")", R"("arn:aws:sts::111122223333:assumed-role/R/s")",
                      R"("arn:aws:iam::111122223333:user\/alice")", "null"});
        field("UserId", {R"("AIDAEXAMPLE")", R"("AROAEXAMPLE:s")", R"("")", R"("AIDA\u0041")"});
        if (random() % 8 == 0) fields.push_back(R"("Arn":"arn:aws:iam::111122223333:user/bob")");
        std::shuffle(fields.begin(), fields.end(), random);
        std::string result = "{";
        for (std::size_t i = 0; i < fields.size(); ++i) result += (i ? "," : "") + space() + fields[i];
        result += "}";
        std::string body =
            R"({"GetCallerIdentityResponse":{)" + space() +
            (random() % 10 == 0 ? R"("GetCallerIdentityResult":[])" : R"("GetCallerIdentityResult":)" + result) +
            R"(,"ResponseMetadata":{"RequestId":"8c2d3520-24e1"}}})";
        if (random() % 10 == 0) body = R"({"Other":1,)" + body.substr(1);
        test::maybe_mangle(body, random, junk);
        INFO(body);
        const auto either = identity::parse_sts_answer(body);
        const auto general = identity::parse_sts_answer_general(body);
        REQUIRE(either.ok() == general.ok());
        if (either.ok()) {
            ++compared_ok;
            CHECK(either->account == general->account);
            CHECK(either->arn == general->arn);
            CHECK(either->user_id == general->user_id);
        } else {
            CHECK(either.error().detail == general.error().detail);
        }
    }
    CHECK(compared_ok > 2000);
}
