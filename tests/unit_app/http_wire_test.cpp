#include <catch2/catch.hpp>

#include "net/http_wire.hpp"

using aia::net::HttpResponse;
using aia::net::wire_request;
using aia::net::wire_response;

TEST_CASE("an answer is written whole, with length and connection headers", "[http-wire]") {
    HttpResponse response;
    response.status = 403;
    response.content_type = "application/json";
    response.body = R"({"a":1})";
    response.headers = {{"Retry-After", "1"}};
    CHECK(wire_response(response, 11, true) ==
          "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nRetry-After: 1\r\nContent-Length: 7\r\n\r\n"
          R"({"a":1})");
    CHECK(wire_response(response, 11, false).find("\r\nConnection: close\r\n\r\n") != std::string::npos);
    CHECK(wire_response(response, 10, true).starts_with("HTTP/1.0 403 Forbidden\r\n"));
    CHECK(wire_response(response, 10, true).find("\r\nConnection: keep-alive\r\n\r\n") != std::string::npos);
    CHECK(wire_response(response, 10, false).find("Connection:") == std::string::npos);

    response.status = 429;
    CHECK(wire_response(response, 11, true).starts_with("HTTP/1.1 429 Too Many Requests\r\n"));
}

TEST_CASE("a request is written whole, with Content-Length as Beast sets it", "[http-wire]") {
    const auto get = wire_request("GET", "/?Action=GetCallerIdentity",
                                  {{"Host", "sts.amazonaws.com"}, {"x-k8s-aws-id", "c"}}, "", "aws-iam-authenticator");
    REQUIRE(get);
    CHECK(*get ==
          "GET /?Action=GetCallerIdentity HTTP/1.1\r\nHost: sts.amazonaws.com\r\nx-k8s-aws-id: c\r\n"
          "User-Agent: aws-iam-authenticator\r\n\r\n");

    const auto post = wire_request("POST", "/", {{"Host", "ec2.us-west-2.amazonaws.com"}}, "Action=X", "ua");
    REQUIRE(post);
    CHECK(post->ends_with("User-Agent: ua\r\nContent-Length: 8\r\n\r\nAction=X"));
    const auto empty_post = wire_request("POST", "/", {{"Host", "h"}}, "", "ua");
    REQUIRE(empty_post);
    CHECK(empty_post->ends_with("Content-Length: 0\r\n\r\n"));
}

TEST_CASE("a request whose text would split it is refused, not sent", "[http-wire]") {
    CHECK_FALSE(wire_request("GET", "/", {{"x-k8s-aws-id", "c\r\nEvil: 1"}}, "", "ua"));
    CHECK_FALSE(wire_request("GET", "/", {{"x-k8s-aws-id", "c\nEvil: 1"}}, "", "ua"));
    CHECK_FALSE(wire_request("GET", "/", {{"Bad\rName", "v"}}, "", "ua"));
    CHECK_FALSE(wire_request("GET", "/ HTTP/1.1\r\nEvil: 1\r\n", {}, "", "ua"));
    CHECK_FALSE(wire_request("GET", "/", {{"h", std::string("a\0b", 3)}}, "", "ua"));
    CHECK_FALSE(wire_request("GET", "/", {}, "", "ua\r\n"));
}
