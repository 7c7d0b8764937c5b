#include "core/kube/watch_events.hpp"

#include <array>
#include <utility>

#include "core/util/json_depth.hpp"

namespace aia::kube {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<std::string_view, EventType>, 5> kEventTypes = {{
    {"ADDED", EventType::Added},
    {"MODIFIED", EventType::Modified},
    {"DELETED", EventType::Deleted},
    {"BOOKMARK", EventType::Bookmark},
    {"ERROR", EventType::Error},
}};

Result<json, std::string> parse_bounded(std::string_view text, const JsonLimits& limits) {
    if (text.size() > limits.max_bytes) {
        return fail("answer of " + std::to_string(text.size()) + " bytes is over the limit of " +
                    std::to_string(limits.max_bytes));
    }
    if (!json_depth::within(text, limits.max_depth)) {
        return fail("JSON nests deeper than " + std::to_string(limits.max_depth) + " levels");
    }
    json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return fail(std::string("not valid JSON"));
    if (!value.is_object()) return fail(std::string("not a JSON object"));
    return value;
}

// object.metadata.resourceVersion: "" when absent, an error when not a string.
Result<std::string, std::string> resource_version_of(const json& object) {
    const auto metadata = object.find("metadata");
    if (metadata == object.end() || metadata->is_null()) return std::string{};
    if (!metadata->is_object()) return fail(std::string("metadata is not an object"));
    const auto version = metadata->find("resourceVersion");
    if (version == metadata->end() || version->is_null()) return std::string{};
    if (!version->is_string()) return fail(std::string("metadata.resourceVersion is not a string"));
    return version->get<std::string>();
}

Result<EventType, std::string> event_type_of(const json& event) {
    const auto type = event.find("type");
    if (type == event.end() || !type->is_string()) return fail(std::string("watch event has no type"));
    const auto& name = type->get_ref<const std::string&>();
    for (const auto& [text, value] : kEventTypes) {
        if (name == text) return value;
    }
    return fail("unknown watch event type \"" + name.substr(0, 32) + "\"");
}

}  // namespace

std::string_view to_string(EventType type) noexcept {
    for (const auto& [text, value] : kEventTypes) {
        if (value == type) return text;
    }
    return "?";
}

Result<Status, std::string> status_from_json(const json& object) {
    if (!object.is_object()) return fail(std::string("Status is not an object"));
    const auto kind = object.find("kind");
    if (kind != object.end() && (!kind->is_string() || kind->get_ref<const std::string&>() != "Status")) {
        return fail(std::string("not a Status object"));
    }
    Status status;
    const auto code = object.find("code");
    if (code != object.end() && !code->is_number_integer()) return fail(std::string("Status.code is not an integer"));
    if (code != object.end()) {
        // JSON parses non-negative integers as unsigned; 2^64-1 must not wrap to -1.
        const bool in_range = code->is_number_unsigned()
                                  ? code->get<std::uint64_t>() <= 999
                                  : code->get<std::int64_t>() >= 0 && code->get<std::int64_t>() <= 999;
        if (!in_range) return fail(std::string("Status.code is out of range"));
        const auto value = code->get<std::int64_t>();
        status.code = static_cast<int>(value);
    }
    for (auto [key, field] : {std::pair{"reason", &status.reason}, std::pair{"message", &status.message}}) {
        const auto value = object.find(key);
        if (value == object.end() || value->is_null()) continue;
        if (!value->is_string()) return fail("Status." + std::string(key) + " is not a string");
        *field = value->get<std::string>();
    }
    return status;
}

Result<Status, std::string> parse_status(std::string_view body, const JsonLimits& limits) {
    auto value = parse_bounded(body, limits);
    if (!value) return fail("error answer: " + value.error());
    auto status = status_from_json(*value);
    if (!status) return fail("error answer: " + status.error());
    return status;
}

Result<WatchEvent, std::string> parse_watch_event(std::string_view line, const JsonLimits& limits) {
    auto value = parse_bounded(line, limits);
    if (!value) return fail("watch event: " + value.error());
    auto type = event_type_of(*value);
    if (!type) return fail(type.error());
    const auto object = value->find("object");
    if (object == value->end() || !object->is_object()) return fail(std::string("watch event has no object"));
    WatchEvent event;
    event.type = *type;
    event.object = std::move(*object);
    if (event.type == EventType::Error) {
        auto status = status_from_json(event.object);
        if (!status) return fail("watch ERROR event: " + status.error());
        event.status = std::move(status).value();
        return event;
    }
    auto version = resource_version_of(event.object);
    if (!version) return fail("watch event object: " + version.error());
    event.resource_version = std::move(version).value();
    return event;
}

Result<ObjectList, std::string> parse_object_list(std::string_view body, const JsonLimits& limits) {
    auto value = parse_bounded(body, limits);
    if (!value) return fail("list answer: " + value.error());
    auto version = resource_version_of(*value);
    if (!version) return fail("list answer: " + version.error());
    ObjectList list;
    list.resource_version = std::move(version).value();
    const auto items = value->find("items");
    if (items == value->end() || items->is_null()) return list;  // an empty list may omit items
    if (!items->is_array()) return fail(std::string("list answer: items is not an array"));
    for (std::size_t i = 0; i < items->size(); ++i) {
        if (!(*items)[i].is_object()) return fail("list answer: items[" + std::to_string(i) + "] is not an object");
        list.items.push_back(std::move((*items)[i]));
    }
    return list;
}

}  // namespace aia::kube
