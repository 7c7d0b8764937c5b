#include <catch2/catch.hpp>

#include "app/aws/aws_environment.hpp"

using namespace aia;

namespace {
app::AwsEnvironment environment(const std::map<std::string, std::string>& variables) {
    return app::AwsEnvironment(variables);
}
}  // namespace

TEST_CASE("endpoint URLs", "[aws-environment]") {
    const auto plain = app::parse_url_endpoint("http://127.0.0.1:8080/container/credentials");
    REQUIRE(plain.ok());
    CHECK_FALSE(plain->endpoint.tls);
    CHECK(plain->endpoint.host == "127.0.0.1");
    CHECK(plain->endpoint.port == 8080);
    CHECK(plain->host_header == "127.0.0.1:8080");
    CHECK(plain->path == "/container/credentials");

    const auto secure = app::parse_url_endpoint("https://ec2.eu-west-1.amazonaws.com");
    REQUIRE(secure.ok());
    CHECK(secure->endpoint.tls);
    CHECK(secure->endpoint.port == 443);
    CHECK(secure->path == "/");

    const auto v6 = app::parse_url_endpoint("http://[fd00:ec2::254]");
    REQUIRE(v6.ok());
    CHECK(v6->endpoint.host == "fd00:ec2::254");
    CHECK(v6->endpoint.port == 80);
    CHECK(v6->host_header == "[fd00:ec2::254]");

    for (const char* bad : {"ftp://h", "https://", "https://u@h", "https://h?x=1", "https://h#f", "https://h:99999",
                            "https://h:x", "https://[::1", "h:80", ""}) {
        INFO(bad);
        CHECK_FALSE(app::parse_url_endpoint(bad).ok());
    }
}

TEST_CASE("service endpoints: overrides first, then the region's", "[aws-environment]") {
    const app::AwsEnvironment none = environment({});
    CHECK(app::service_endpoint(none, "ec2", "eu-west-1")->host_header == "ec2.eu-west-1.amazonaws.com");
    CHECK(app::service_endpoint(none, "ec2", "cn-north-1")->host_header == "ec2.cn-north-1.amazonaws.com.cn");
    CHECK(app::service_endpoint(none, "sts", "us-gov-west-1")->host_header == "sts.us-gov-west-1.amazonaws.com");
    CHECK(app::service_endpoint(none, "ec2", "").error() == "no AWS region for the ec2 endpoint");

    const app::AwsEnvironment general = environment({{"AWS_ENDPOINT_URL", "https://127.0.0.1:4443"}});
    CHECK(app::service_endpoint(general, "sts", "us-west-2")->host_header == "127.0.0.1:4443");

    const app::AwsEnvironment specific = environment(
        {{"AWS_ENDPOINT_URL", "https://127.0.0.1:4443"}, {"AWS_ENDPOINT_URL_EC2", "https://localhost:5443"}});
    CHECK(app::service_endpoint(specific, "ec2", "us-west-2")->host_header == "localhost:5443");
    CHECK(app::service_endpoint(specific, "sts", "us-west-2")->host_header == "127.0.0.1:4443");

    const app::AwsEnvironment broken = environment({{"AWS_ENDPOINT_URL_EC2", "not a url"}});
    CHECK_THAT(app::service_endpoint(broken, "ec2", "us-west-2").error(), Catch::StartsWith("AWS_ENDPOINT_URL_EC2: "));
}

TEST_CASE("the SSO portal: overrides first, then portal.sso.<region>", "[aws-environment]") {
    const app::AwsEnvironment none = environment({});
    const auto portal = app::sso_portal_endpoint(none, "eu-west-1");
    REQUIRE(portal.ok());
    CHECK(portal->host_header == "portal.sso.eu-west-1.amazonaws.com");
    CHECK(portal->endpoint.tls);
    CHECK(portal->endpoint.port == 443);
    CHECK(app::sso_portal_endpoint(none, "cn-northwest-1")->host_header ==
          "portal.sso.cn-northwest-1.amazonaws.com.cn");
    CHECK_THAT(app::sso_portal_endpoint(none, "evil.example.com/x").error(), Catch::Contains("is not a region"));

    const app::AwsEnvironment general = environment({{"AWS_ENDPOINT_URL", "https://127.0.0.1:4443"}});
    CHECK(app::sso_portal_endpoint(general, "us-east-1")->host_header == "127.0.0.1:4443");
    const app::AwsEnvironment specific = environment(
        {{"AWS_ENDPOINT_URL", "https://127.0.0.1:4443"}, {"AWS_ENDPOINT_URL_SSO", "https://localhost:6443/portal"}});
    const auto overridden = app::sso_portal_endpoint(specific, "us-east-1");
    CHECK(overridden->host_header == "localhost:6443");
    CHECK(overridden->path == "/portal");
}
