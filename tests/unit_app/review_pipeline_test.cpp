// The review pipeline without a socket: Authenticator::review with a scripted
// STS, a scripted EC2 and a manual clock. Every way a review can be denied
// has a case here, each checking the answer, the metric and the log line.

#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "app/authenticator.hpp"
#include "app/identity_cache.hpp"
#include "app/logger.hpp"
#include "app/mapping_sources.hpp"
#include "app/metrics.hpp"
#include "app/sts_slots.hpp"
#include "core/config/server_config.hpp"
#include "core/token/token_generator.hpp"
#include "core/util/base64.hpp"
#include "net/run_blocking.hpp"
#include "support/captured_log.hpp"
#include "support/scripted.hpp"

using namespace aia;
using namespace std::chrono_literals;
using auth::Outcome;
using test::ScriptedSts;

namespace {

constexpr std::string_view kCluster = "unit-cluster";
// 2026-12-04T12:00:00Z
const amz_time::Seconds kStart{std::chrono::seconds{1796385600}};

const sigv4::Credentials kAlice{"AKIAALICE00000000000", "alice-secret", ""};
const sigv4::Credentials kNode{"ASIANODE000000000000", "node-secret", "node-session-token"};

std::string caller(std::string_view account, std::string_view arn, std::string_view user_id) {
    return R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":")" + std::string(account) +
           R"(","Arn":")" + std::string(arn) + R"(","UserId":")" + std::string(user_id) +
           R"("},"ResponseMetadata":{"RequestId":"r"}}})";
}
const std::string kAliceAnswer = caller("111122223333", "arn:aws:iam::111122223333:user/alice", "AIDAALICE");
const std::string kNodeAnswer = caller(
    "111122223333", "arn:aws:sts::111122223333:assumed-role/Node/i-0123456789abcdef0", "AROANODE:i-0123456789abcdef0");

mapping::MappingEntry entry(std::string arn, std::string username, std::vector<std::string> groups) {
    return {.arn = std::move(arn),
            .sso = {},
            .username = std::move(username),
            .groups = std::move(groups),
            .user_id = {},
            .origin = {}};
}

using aia::test::CapturedLog;

struct Pipeline {
    CapturedLog captured;
    app::Logger log{app::LogFormat::Text, "info", captured.fd};
    app::Metrics metrics;
    test::ManualClock clock{kStart};
    ScriptedSts sts;
    test::ScriptedInstances instances;
    app::StsSlots slots{8};
    app::IdentityCache cache;
    app::MappingSources mappings;
    app::AuthenticatorContext context;
    app::Authenticator authenticator{context, sts};

    explicit Pipeline(std::chrono::milliseconds cache_ttl = 0ms)
        : cache({.ttl = cache_ttl, .max_entries = 100, .max_bytes = 1 << 20}, metrics, clock),
          mappings(specs(), static_mappings(), log, metrics),
          context{validator(), &mappings, {}, &instances, &slots, &cache, &metrics, &log, &clock} {
        REQUIRE(captured.fd >= 0);
        mappings.load_all();
    }

    static token::TokenValidator validator() {
        return token::TokenValidator::create({.cluster_id = std::string(kCluster), .region = "us-west-2"}).value();
    }
    static std::vector<app::SourceSpec> specs() {
        return {app::SourceSpec{.name = std::string(config::kModeMountedFile),
                                .path = {},
                                .table_options = {},
                                .reserved_prefixes = {"eks:"}}};
    }
    static mapping::MappingConfig static_mappings() {
        mapping::MappingConfig config;
        config.users.push_back(entry("arn:aws:iam::111122223333:user/alice", "alice", {"developers"}));
        config.users.push_back(entry("arn:aws:iam::111122223333:user/mallory", "eks:admin", {}));
        config.users.push_back(entry("arn:aws:iam::111122223333:user/nobody", "{{SessionName}}", {}));
        config.roles.push_back(
            entry("arn:aws:iam::111122223333:role/Node", "system:node:{{EC2PrivateDNSName}}", {"system:nodes"}));
        return config;
    }

    std::string token(const sigv4::Credentials& credentials = kAlice, std::string_view region = "",
                      std::string_view cluster = kCluster) const {
        return token::generate_token({.credentials = credentials,
                                      .cluster_id = std::string(cluster),
                                      .endpoint = token::default_sts_endpoint(region),
                                      .now = clock.wall_now()})
            .token;
    }

    app::ReviewResult review_body(const std::string& body) {
        net::asio::io_context io;
        return net::run_blocking(io, authenticator.review(body, {.client = "10.0.0.1:5555"}));
    }
    app::ReviewResult review(const std::string& token) {
        return review_body(R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":")" +
                           token + R"("}})");
    }

    double metric(const std::string& series) const {
        const std::string text = metrics.render();
        const auto at = text.find("\n" + series + " ");
        if (at == std::string::npos) return 0;
        return std::stod(text.substr(at + series.size() + 2));
    }
    double reviews(std::string_view result) const {
        return metric("aws_iam_authenticator_authenticate_latency_seconds_count{result=\"" + std::string(result) +
                      "\"}");
    }
};

// The token with its presigned URL edited.
std::string with_url(const std::string& token, const std::function<std::string(std::string)>& edit) {
    const std::string url = base64::decode_url_unpadded(token.substr(token::kTokenPrefix.size())).value();
    return std::string(token::kTokenPrefix) + base64::encode_url_unpadded(edit(url));
}

void check_denied(const app::ReviewResult& result, Outcome outcome, unsigned status) {
    CHECK(result.outcome == outcome);
    CHECK(result.http_status == status);
    CHECK(result.body.find("\"authenticated\":false") != std::string::npos);
}

}  // namespace

TEST_CASE("review: a mapped user is granted, and STS was asked with the token's host", "[review]") {
    Pipeline p;
    p.sts.script = {ScriptedSts::answered(200, kAliceAnswer)};
    const auto result = p.review(p.token());
    CHECK(result.outcome == Outcome::Success);
    CHECK(result.http_status == 200);
    CHECK(result.body.find("\"username\":\"alice\"") != std::string::npos);
    CHECK(p.sts.asked_hosts == std::vector<std::string>{"sts.amazonaws.com"});
    CHECK(p.sts.asked_home == std::vector<bool>{true});
    CHECK(p.reviews("success") == 1);
    CHECK(p.captured.text().find("msg=\"access granted\"") != std::string::npos);
}

TEST_CASE("review: a body that is not a TokenReview is malformed (400), STS never asked", "[review]") {
    Pipeline p;
    for (const std::string body : {"", "{", "[]", R"({"kind":"Pod"})", R"({"apiVersion":"v1","kind":"TokenReview"})"}) {
        INFO(body);
        const auto result = p.review_body(body);
        CHECK(result.outcome == Outcome::MalformedRequest);
        CHECK(result.http_status == 400);
    }
    CHECK(p.sts.asked_hosts.empty());
    CHECK(p.reviews("malformed_request") == 5);
    CHECK(p.captured.text().find("msg=\"could not parse request body\"") != std::string::npos);
}

TEST_CASE("review: each class of token refusal is denied offline (403), STS never asked", "[review]") {
    Pipeline p;
    const std::string good = p.token();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"k8s-aws-v2." + good.substr(11), "missing prefix"},
        {"k8s-aws-v1.%%%", "bad base64"},
        {with_url(good, [](std::string u) { return "http" + u.substr(5); }), "not https"},
        {with_url(good, [](std::string u) { return u.replace(8, 17, "sts.evil.example"); }), "foreign host"},
        {with_url(good, [](std::string u) { return u + "&Action=GetCallerIdentity"; }), "duplicate parameter"},
        {with_url(good, [](std::string u) { return u + "&x-amz-date=20261204T120000Z"; }), "duplicate in case"},
        {with_url(good, [](std::string u) { return u.replace(u.find("GetCallerIdentity"), 17, "AssumeRole"); }),
         "action"},
        {with_url(good, [](std::string u) { return u.replace(u.find("%3Bx-k8s-aws-id"), 15, ""); }),
         "cluster id not signed"},
        {std::string(5000, 'a'), "too large"},
    };
    for (const auto& [token, what] : cases) {
        INFO(what);
        check_denied(p.review(token), Outcome::InvalidToken, 403);
    }
    CHECK(p.sts.asked_hosts.empty());
    CHECK(p.reviews("invalid_token") == static_cast<double>(cases.size()));
    CHECK(p.captured.text().find("msg=\"access denied\"") != std::string::npos);
}

TEST_CASE("review: the manual clock moves a token out of its window", "[review]") {
    Pipeline p;
    const std::string token = p.token();
    p.clock.advance(16min);
    check_denied(p.review(token), Outcome::InvalidToken, 403);
    CHECK(p.captured.text().find("expired") != std::string::npos);

    const std::string future = p.token();
    p.clock.advance(-16min - 6min);  // the token now lies 6 minutes ahead: beyond the 5 minute skew
    check_denied(p.review(future), Outcome::InvalidToken, 403);
    CHECK(p.sts.asked_hosts.empty());
}

TEST_CASE("review: an unknown region is denied before any I/O and counted apart", "[review]") {
    Pipeline p;
    check_denied(p.review(p.token(kAlice, "us-zz123-4")), Outcome::InvalidToken, 403);
    CHECK(p.sts.asked_hosts.empty());
    CHECK(p.metric("aws_iam_authenticator_sts_unknown_region_denials_total") == 1);
    CHECK(p.captured.text().find("server.stsRegions") != std::string::npos);
}

TEST_CASE("review: STS refusing the signature is an STS error (403) with STS's code logged", "[review]") {
    Pipeline p;
    p.sts.script = {ScriptedSts::answered(
        403,
        R"({"Error":{"Code":"SignatureDoesNotMatch","Message":"The request signature we calculated does not match","Type":"Sender"},"RequestId":"x"})")};
    check_denied(p.review(p.token(kAlice, "", "another-cluster")), Outcome::StsError, 403);
    CHECK(p.sts.asked_hosts.size() == 1);
    CHECK(p.reviews("sts_error") == 1);
    const std::string log = p.captured.text();
    CHECK(log.find("stserror=SignatureDoesNotMatch") != std::string::npos);
    CHECK(log.find("expected 200, got 403") != std::string::npos);
}

TEST_CASE("review: STS throttling is answered 429 and counted", "[review]") {
    Pipeline p;
    p.sts.script = {ScriptedSts::answered(
        400, R"({"Error":{"Code":"Throttling","Message":"Rate exceeded","Type":"Sender"},"RequestId":"x"})")};
    check_denied(p.review(p.token()), Outcome::StsThrottling, 429);
    CHECK(p.reviews("sts_throttling") == 1);
    CHECK(p.metric("aws_iam_authenticator_sts_throttling_total{StsRegion=\"global\"}") == 1);
}

TEST_CASE("review: with every STS slot taken, a review is refused at once (429)", "[review]") {
    Pipeline p;
    std::vector<app::StsSlots::Slot> held;
    app::StsSlots::Refusal why{};
    for (int i = 0; i < 8; ++i) held.push_back(p.slots.try_acquire("sts.amazonaws.com", true, why));
    check_denied(p.review(p.token()), Outcome::StsThrottling, 429);
    CHECK(p.sts.asked_hosts.empty());
    CHECK(p.metric("aws_iam_authenticator_sts_inflight_rejections_total") == 1);
    CHECK(p.captured.text().find("too many STS requests in flight") != std::string::npos);

    held.clear();  // slots given back: the next review asks STS
    p.sts.script = {ScriptedSts::answered(200, kAliceAnswer)};
    CHECK(p.review(p.token()).outcome == Outcome::Success);
}

TEST_CASE("review: a host other than home may take only its share of the slots", "[review]") {
    Pipeline p;
    std::vector<app::StsSlots::Slot> held;
    app::StsSlots::Refusal why{};
    for (unsigned i = 0; i < p.slots.per_host(); ++i)
        held.push_back(p.slots.try_acquire("sts.eu-west-1.amazonaws.com", false, why));
    check_denied(p.review(p.token(kAlice, "eu-west-1")), Outcome::StsThrottling, 429);
    CHECK(p.metric("aws_iam_authenticator_sts_host_rejections_total{reason=\"host_cap\"}") == 1);
    // The home endpoint still has room.
    p.sts.script = {ScriptedSts::answered(200, kAliceAnswer)};
    CHECK(p.review(p.token()).outcome == Outcome::Success);
}

TEST_CASE("review: an STS that times out, is unreachable or was skipped is an STS error", "[review]") {
    Pipeline p;
    p.sts.script = {ScriptedSts::failed(net::StsAnswer::Kind::TimedOut, "timed out after 10s")};
    check_denied(p.review(p.token()), Outcome::StsError, 403);
    CHECK(p.metric("aws_iam_authenticator_sts_connection_failures_total{StsRegion=\"global\"}") == 1);
    CHECK(p.captured.text().find("timed out after 10s on global endpoint") != std::string::npos);

    net::StsAnswer skipped = ScriptedSts::failed(net::StsAnswer::Kind::Skipped, "name failed to resolve");
    skipped.skipped_because = "resolve_busy";
    p.sts.script = {skipped};
    check_denied(p.review(p.token()), Outcome::StsThrottling, 429);
    CHECK(p.metric("aws_iam_authenticator_sts_host_rejections_total{reason=\"resolve_busy\"}") == 1);
}

TEST_CASE("review: an answer that is not STS's is an STS error, never a guess", "[review]") {
    Pipeline p;
    p.sts.script = {ScriptedSts::answered(200, R"({"GetCallerIdentityResponse":{}})")};
    check_denied(p.review(p.token()), Outcome::StsError, 403);
    p.sts.script = {ScriptedSts::answered(200, caller("999999999999", "arn:aws:iam::111122223333:user/alice", "AIDA"))};
    check_denied(p.review(p.token()), Outcome::StsError, 403);
}

TEST_CASE("review: an identity no mapping knows is unknown (403)", "[review]") {
    Pipeline p;
    p.sts.script = {
        ScriptedSts::answered(200, caller("111122223333", "arn:aws:iam::111122223333:user/eve", "AIDAEVE"))};
    check_denied(p.review(p.token()), Outcome::UnknownUser, 403);
    CHECK(p.reviews("uknown_user") == 1);  // upstream's spelling, kept
    const std::string log = p.captured.text();
    CHECK(log.find("arn=\"arn:aws:iam::111122223333:user/eve\"") != std::string::npos);
    CHECK(log.find("error=\"identity is not mapped\"") != std::string::npos);
}

TEST_CASE("review: a username with a reserved prefix is refused", "[review]") {
    Pipeline p;
    p.sts.script = {
        ScriptedSts::answered(200, caller("111122223333", "arn:aws:iam::111122223333:user/mallory", "AIDAM"))};
    check_denied(p.review(p.token()), Outcome::UnknownUser, 403);
    CHECK(p.captured.text().find("username must not begin with with the following prefixes") != std::string::npos);
}

TEST_CASE("review: a template that renders nothing is refused", "[review]") {
    Pipeline p;
    p.sts.script = {
        ScriptedSts::answered(200, caller("111122223333", "arn:aws:iam::111122223333:user/nobody", "AIDAN"))};
    check_denied(p.review(p.token()), Outcome::UnknownUser, 403);
    CHECK(p.captured.text().find("{{SessionName}} is empty for this identity") != std::string::npos);
}

TEST_CASE("review: {{EC2PrivateDNSName}} asks EC2, and an EC2 failure denies", "[review]") {
    Pipeline p;
    p.sts.script = {ScriptedSts::answered(200, kNodeAnswer)};
    check_denied(p.review(p.token(kNode)), Outcome::UnknownUser, 403);
    CHECK(p.instances.calls == 1);
    CHECK(p.captured.text().find("failed querying private DNS from EC2 API for node i-0123456789abcdef0: instance "
                                 "i-0123456789abcdef0 not found") != std::string::npos);

    p.instances.answers["i-0123456789abcdef0"] = {.private_dns_name = "ip-10-0-0-1.ec2.internal", .error = {}};
    const auto granted = p.review(p.token(kNode));
    CHECK(granted.outcome == Outcome::Success);
    CHECK(granted.body.find("system:node:ip-10-0-0-1.ec2.internal") != std::string::npos);
}

TEST_CASE("review: the identity cache answers a repeated token until its TTL, on the manual clock", "[review]") {
    Pipeline p(2min);
    p.sts.script = {ScriptedSts::answered(200, kAliceAnswer)};
    const std::string token = p.token();
    CHECK(p.review(token).outcome == Outcome::Success);
    p.clock.advance(1min);
    CHECK(p.review(token).outcome == Outcome::Success);
    CHECK(p.sts.asked_hosts.size() == 1);  // the second answer came from the cache
    CHECK(p.metric("aws_iam_authenticator_identity_cache_hits_total") == 1);

    p.clock.advance(61s);  // past the TTL (still inside the token's window)
    CHECK(p.review(token).outcome == Outcome::Success);
    CHECK(p.sts.asked_hosts.size() == 2);

    // A failure is never cached: the same token is asked again.
    p.sts.script = {ScriptedSts::answered(
        400, R"({"Error":{"Code":"Throttling","Message":"Rate exceeded","Type":"Sender"},"RequestId":"x"})")};
    const std::string other = p.token(kAlice, "us-west-2");
    CHECK(p.review(other).outcome == Outcome::StsThrottling);
    CHECK(p.review(other).outcome == Outcome::StsThrottling);
    CHECK(p.sts.asked_hosts.size() == 4);
}

TEST_CASE("review: a cached answer never outlives its token", "[review]") {
    Pipeline p(15min);
    p.sts.script = {ScriptedSts::answered(200, kAliceAnswer)};
    const std::string token = p.token();
    CHECK(p.review(token).outcome == Outcome::Success);
    p.clock.advance(16min);
    check_denied(p.review(token), Outcome::InvalidToken, 403);  // expired: the entry too, and the token is refused
    CHECK(p.sts.asked_hosts.size() == 1);
}

// The last line logged with `message`.
std::string last_line(const std::string& log, std::string_view message) {
    const std::size_t at = log.rfind("msg=\"" + std::string(message) + "\"");
    if (at == std::string::npos) return {};
    const std::size_t start = log.rfind('\n', at);
    return log.substr(start == std::string::npos ? 0 : start + 1,
                      log.find('\n', at) - (start == std::string::npos ? 0 : start + 1));
}

TEST_CASE("review: a cache hit is logged with the token's access key and STS host, like a miss", "[review]") {
    Pipeline p(2min);
    p.sts.script = {ScriptedSts::answered(200, kAliceAnswer)};
    const std::string token = p.token();
    CHECK(p.review(token).outcome == Outcome::Success);
    const std::string miss = last_line(p.captured.text(), "access granted");
    CHECK(p.review(token).outcome == Outcome::Success);
    const std::string hit = last_line(p.captured.text(), "access granted");
    REQUIRE(p.sts.asked_hosts.size() == 1);
    CHECK(miss.find(" cache=miss accesskeyid=AKIAALICE00000000000 stsendpoint=sts.amazonaws.com ") !=
          std::string::npos);
    CHECK(hit.find(" cache=hit accesskeyid=AKIAALICE00000000000 stsendpoint=sts.amazonaws.com ") != std::string::npos);
    CHECK(last_line(p.captured.text(), "STS response").find(" cache=hit accesskeyid=AKIAALICE00000000000 ") !=
          std::string::npos);
}

TEST_CASE("review: a cache hit has its token's window checked again on the wall clock", "[review]") {
    Pipeline p(15min);
    p.sts.script = {ScriptedSts::answered(200, kAliceAnswer)};
    const std::string token = p.token();
    CHECK(p.review(token).outcome == Outcome::Success);

    // The wall clock is set forward past the token's 15 minutes; the steady
    // clock, which the cache's own expiry runs on, does not move.
    p.clock.jump_wall(16min);
    check_denied(p.review(token), Outcome::InvalidToken, 403);
    CHECK(last_line(p.captured.text(), "access denied").find("X-Amz-Date parameter is expired") != std::string::npos);

    p.clock.jump_wall(-16min);  // back: the stored answer serves again
    CHECK(p.review(token).outcome == Outcome::Success);
    CHECK(p.sts.asked_hosts.size() == 1);

    p.clock.jump_wall(-6min);  // now signed 6 minutes in the future, past the 5 allowed
    check_denied(p.review(token), Outcome::InvalidToken, 403);
    CHECK(last_line(p.captured.text(), "access denied").find("X-Amz-Date parameter is in the future") !=
          std::string::npos);
    CHECK(p.sts.asked_hosts.size() == 1);
    CHECK(p.metric("aws_iam_authenticator_identity_cache_hits_total") == 1);
    CHECK(p.metric("aws_iam_authenticator_identity_cache_misses_total") == 1);  // the first review only
}
