#pragma once
// Answers of the Kubernetes API as JSON: one watch event (a line of a watch
// stream), a list answer, and the Status object of an error answer.
//
// The input is untrusted: bounded in size and nesting before nlohmann::json
// sees it, and every failure is an error value; nothing throws out of here.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/result.hpp"

namespace aia::kube {

struct JsonLimits {
    std::size_t max_bytes = 8 * 1024 * 1024;
    int max_depth = 64;
};

// metav1.Status, as the server sends it with an error (410 Expired, 403 ...).
struct Status {
    int code = 0;
    std::string reason;   // "Expired", "Forbidden", "NotFound"
    std::string message;  // for people
};

enum class EventType { Added, Modified, Deleted, Bookmark, Error };
std::string_view to_string(EventType type) noexcept;

struct WatchEvent {
    EventType type = EventType::Added;
    nlohmann::json object;         // the object (for ERROR, the Status as sent)
    std::string resource_version;  // object.metadata.resourceVersion; "" if none
    std::optional<Status> status;  // ERROR events only
};

// {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}
Result<WatchEvent, std::string> parse_watch_event(std::string_view line, const JsonLimits& limits = {});

struct ObjectList {
    std::vector<nlohmann::json> items;
    std::string resource_version;  // metadata.resourceVersion: where a watch resumes
};

// {"kind":"...List","metadata":{"resourceVersion":"..."},"items":[...]}
Result<ObjectList, std::string> parse_object_list(std::string_view body, const JsonLimits& limits = {});

// An error answer's body; an error when it is not a Status.
Result<Status, std::string> parse_status(std::string_view body, const JsonLimits& limits = {});

// A parsed Status object (kind "Status" if given).
Result<Status, std::string> status_from_json(const nlohmann::json& object);

}  // namespace aia::kube
