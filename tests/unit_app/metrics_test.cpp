// Metric labels stay bounded by design: only admitted regions get their own
// StsRegion value, whatever names tokens bring.

#include <catch2/catch.hpp>

#include <string>

#include "app/metrics.hpp"

using aia::app::Metrics;

namespace {

bool has_line(const std::string& text, const std::string& prefix) {
    return text.find("\n" + prefix) != std::string::npos;
}

}  // namespace

TEST_CASE("metrics: StsRegion is an admitted region, global, or other", "[metrics]") {
    Metrics metrics;
    metrics.set_sts_regions({"us-west-2", "us-zz1-4"});
    metrics.sts_response("us-west-2", 200);
    metrics.sts_response("global", 200);
    metrics.sts_response("us-zz1-4", 403);
    for (int i = 0; i < 500; ++i) metrics.sts_connection_failure("us-zz" + std::to_string(i + 100) + "-4");
    metrics.sts_throttled("eu-west-1");
    const std::string text = metrics.render();
    CHECK(has_line(text, "aws_iam_authenticator_sts_responses_total{ResponseCode=\"200\",StsRegion=\"us-west-2\"} 1"));
    CHECK(has_line(text, "aws_iam_authenticator_sts_responses_total{ResponseCode=\"200\",StsRegion=\"global\"} 1"));
    CHECK(has_line(text, "aws_iam_authenticator_sts_responses_total{ResponseCode=\"403\",StsRegion=\"us-zz1-4\"} 1"));
    CHECK(has_line(text, "aws_iam_authenticator_sts_connection_failures_total{StsRegion=\"other\"} 500"));
    CHECK(has_line(text, "aws_iam_authenticator_sts_throttling_total{StsRegion=\"other\"} 1"));
    CHECK(text.find("us-zz100-4") == std::string::npos);
}

TEST_CASE("metrics: the new denial counters", "[metrics]") {
    Metrics metrics;
    metrics.sts_unknown_region_denied();
    metrics.sts_unknown_region_denied();
    metrics.sts_host_rejected("host_cap");
    metrics.sts_host_rejected("resolve_busy");
    metrics.sts_host_rejected("resolve_busy");
    metrics.mapping_reloaded("MountedFile", true, 2, 1, 0, 3);
    const std::string text = metrics.render();
    CHECK(has_line(text, "aws_iam_authenticator_sts_unknown_region_denials_total 2"));
    CHECK(has_line(text, "aws_iam_authenticator_sts_host_rejections_total{reason=\"host_cap\"} 1"));
    CHECK(has_line(text, "aws_iam_authenticator_sts_host_rejections_total{reason=\"resolve_busy\"} 2"));
    CHECK(has_line(text, "aws_iam_authenticator_mapping_entry_problems{source=\"MountedFile\"} 3"));
}

TEST_CASE("metrics: a series counted again is the same series, each label value apart", "[metrics]") {
    Metrics metrics;
    metrics.set_sts_regions({"us-west-2"});
    for (int i = 0; i < 3; ++i) metrics.sts_response("us-west-2", 200);
    metrics.sts_response("us-west-2", 403);
    metrics.sts_response("global", 200);
    metrics.sts_throttled("us-west-2");
    metrics.sts_throttled("us-west-2");
    metrics.sts_connection_failure("global");
    const std::string text = metrics.render();
    CHECK(has_line(text, "aws_iam_authenticator_sts_responses_total{ResponseCode=\"200\",StsRegion=\"us-west-2\"} 3"));
    CHECK(has_line(text, "aws_iam_authenticator_sts_responses_total{ResponseCode=\"403\",StsRegion=\"us-west-2\"} 1"));
    CHECK(has_line(text, "aws_iam_authenticator_sts_responses_total{ResponseCode=\"200\",StsRegion=\"global\"} 1"));
    CHECK(has_line(text, "aws_iam_authenticator_sts_throttling_total{StsRegion=\"us-west-2\"} 2"));
    CHECK(has_line(text, "aws_iam_authenticator_sts_connection_failures_total{StsRegion=\"global\"} 1"));
    // Each series once: no duplicate made by the per-request path.
    const auto count = [&](const std::string& series) {
        std::size_t n = 0;
        for (auto at = text.find(series); at != std::string::npos; at = text.find(series, at + 1)) ++n;
        return n;
    };
    CHECK(count("sts_responses_total{ResponseCode=\"200\",StsRegion=\"us-west-2\"}") == 1);
    CHECK(count("sts_throttling_total{StsRegion=\"us-west-2\"}") == 1);
}
