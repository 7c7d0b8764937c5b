// Watch events, list answers and Status bodies as the API server sends them.

#include <catch2/catch.hpp>

#include "core/kube/watch_events.hpp"

using namespace aia::kube;

namespace {
bool mentions(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("each watch event type", "[kube]") {
    for (const auto& [name, type] :
         {std::pair{"ADDED", EventType::Added}, std::pair{"MODIFIED", EventType::Modified},
          std::pair{"DELETED", EventType::Deleted}, std::pair{"BOOKMARK", EventType::Bookmark}}) {
        INFO(name);
        const std::string line =
            std::string(R"({"type":")") + name +
            R"(","object":{"kind":"ConfigMap","metadata":{"name":"aws-auth","resourceVersion":"42"}}})";
        auto event = parse_watch_event(line);
        REQUIRE(event.ok());
        CHECK(event->type == type);
        CHECK(to_string(event->type) == name);
        CHECK(event->resource_version == "42");
        CHECK(event->object["metadata"]["name"] == "aws-auth");
        CHECK_FALSE(event->status.has_value());
    }
}

TEST_CASE("an ERROR event carries a Status", "[kube]") {
    auto event = parse_watch_event(
        R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}})json");
    REQUIRE(event.ok());
    CHECK(event->type == EventType::Error);
    REQUIRE(event->status.has_value());
    CHECK(event->status->code == 410);
    CHECK(event->status->reason == "Expired");
    CHECK(event->status->message == "too old resource version: 1 (5)");
}

TEST_CASE("watch events we refuse", "[kube]") {
    for (const char* line : {"", "garbage", "[]", "42", R"({"type":"ADDED"})", R"({"object":{}})",
                             R"({"type":"added","object":{}})", R"({"type":7,"object":{}})",
                             R"({"type":"ADDED","object":[]})", R"({"type":"ADDED","object":{"metadata":[]}})",
                             R"({"type":"ADDED","object":{"metadata":{"resourceVersion":7}}})",
                             R"({"type":"ERROR","object":{"kind":"Pod"}})", R"({"type":"ERROR","object":{"code":"x"}})",
                             "{\"type\":\"ADDED\",\"object\":{\"a\":\"\xff\"}}", R"({"type":"ADDED","object":{}} x)"}) {
        INFO(line);
        CHECK_FALSE(parse_watch_event(line).ok());
    }
}

TEST_CASE("size and depth limits hold before parsing", "[kube]") {
    const std::string big = R"({"type":"ADDED","object":{"data":")" + std::string(2000, 'x') + R"("}})";
    auto too_big = parse_watch_event(big, {1000, 64});
    REQUIRE_FALSE(too_big.ok());
    CHECK(mentions(too_big.error(), "over the limit"));
    CHECK(parse_watch_event(big, {4000, 64}).ok());

    const std::string deep = R"({"type":"ADDED","object":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
    auto too_deep = parse_watch_event(deep);
    REQUIRE_FALSE(too_deep.ok());
    CHECK(mentions(too_deep.error(), "deeper"));
    CHECK_FALSE(parse_object_list(std::string(100000, '{'), {1 << 20, 64}).ok());
}

TEST_CASE("a list answer", "[kube]") {
    auto list = parse_object_list(
        R"({"kind":"IAMIdentityMappingList","metadata":{"resourceVersion":"900"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})");
    REQUIRE(list.ok());
    CHECK(list->resource_version == "900");
    REQUIRE(list->items.size() == 2);
    CHECK(list->items[1]["metadata"]["name"] == "b");

    auto empty = parse_object_list(R"({"kind":"ConfigMapList","metadata":{"resourceVersion":"1"}})");
    REQUIRE(empty.ok());
    CHECK(empty->items.empty());
    CHECK(empty->resource_version == "1");

    CHECK_FALSE(parse_object_list(R"({"items":{}})").ok());
    CHECK_FALSE(parse_object_list(R"({"items":[1]})").ok());
    CHECK_FALSE(parse_object_list(R"({"metadata":{"resourceVersion":null},"items":[{}],)").ok());
}

TEST_CASE("Status bodies of error answers", "[kube]") {
    auto status = parse_status(
        R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"aws-auth\" is forbidden","reason":"Forbidden","code":403})");
    REQUIRE(status.ok());
    CHECK(status->code == 403);
    CHECK(status->reason == "Forbidden");
    CHECK(mentions(status->message, "forbidden"));

    auto minimal = parse_status(R"({"code":409})");
    REQUIRE(minimal.ok());
    CHECK(minimal->code == 409);
    CHECK(minimal->reason.empty());

    for (const char* body : {"<html>502</html>", R"({"kind":"ConfigMap"})", R"({"code":-1})", R"({"code":4000})",
                             R"({"code":18446744073709551615})", R"({"code":403.5})", R"({"reason":5})", "null"}) {
        INFO(body);
        auto bad = parse_status(body);
        REQUIRE_FALSE(bad.ok());
        CHECK(mentions(bad.error(), "error answer"));
    }
}
