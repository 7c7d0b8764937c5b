#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/client/exec_credential.hpp"

using namespace aia;

TEST_CASE("the ExecCredential apiVersion follows KUBERNETES_EXEC_INFO", "[exec-credential]") {
    CHECK(client::exec_api_version("").value() == "client.authentication.k8s.io/v1beta1");
    CHECK(
        client::exec_api_version(
            R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}})")
            .value() == "client.authentication.k8s.io/v1");
    CHECK(client::exec_api_version(R"({"apiVersion":"client.authentication.k8s.io/v1alpha1"})").value() ==
          "client.authentication.k8s.io/v1alpha1");
    CHECK(client::exec_api_version(R"({"kind":"ExecCredential"})").value() == "client.authentication.k8s.io/v1beta1");

    CHECK_THAT(client::exec_api_version(R"({"apiVersion":"client.authentication.k8s.io/v2"})").error(),
               Catch::Contains("asks for apiVersion \"client.authentication.k8s.io/v2\""));
    // Not JSON, or not an object: the default, as upstream.
    CHECK(client::exec_api_version("{not json").value() == "client.authentication.k8s.io/v1beta1");
    CHECK(client::exec_api_version("[]").value() == "client.authentication.k8s.io/v1beta1");
    CHECK(client::exec_api_version(std::string(100, '[') + std::string(100, ']')).value() ==
          "client.authentication.k8s.io/v1beta1");
}

TEST_CASE("the ExecCredential is upstream's JSON, field for field", "[exec-credential]") {
    const auto expiration = amz_time::parse_amz_date("20261123T191400Z").value();
    const std::string text =
        client::render_exec_credential("client.authentication.k8s.io/v1beta1", "k8s-aws-v1.abc", expiration);
    CHECK(
        text ==
        R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false},)"
        R"("status":{"expirationTimestamp":"2026-11-23T19:14:00Z","token":"k8s-aws-v1.abc"}})");
    CHECK(nlohmann::json::parse(client::render_exec_credential(
              "client.authentication.k8s.io/v1", "t", expiration))["apiVersion"] == "client.authentication.k8s.io/v1");
}
