#include "core/config/backend_mode_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

#include "core/config/server_config.hpp"
#include "core/util/go_fold.hpp"
#include "core/util/json_depth.hpp"
#include "core/util/quote.hpp"
#include "core/util/split.hpp"

namespace aia::config {
namespace {

constexpr int kMaxJsonDepth = 4;

// The string value of `name` (any letter case); "" when absent or null. Two
// keys folding to the same name are refused: which one Go keeps is not
// something an operator should have to know.
Result<std::string, std::string> string_field(const nlohmann::json& root, std::string_view name) {
    const nlohmann::json* found = nullptr;
    for (const auto& [key, value] : root.items()) {
        if (!go_fold::names_field(key, name)) continue;
        if (found != nullptr) return fail(std::string(name) + " is given twice (in some letter case)");
        found = &value;
    }
    if (found == nullptr || found->is_null()) return std::string{};
    if (!found->is_string()) return fail(std::string(name) + " is not a string");
    return found->get<std::string>();
}

}  // namespace

Result<BackendModeFile, std::string> parse_backend_mode_file(std::string_view json_text) {
    if (!json_depth::within(json_text, kMaxJsonDepth)) return fail(std::string("nested too deeply"));
    const nlohmann::json root = nlohmann::json::parse(json_text, nullptr, false);
    if (root.is_discarded()) return fail(std::string("not valid JSON"));
    if (!root.is_object()) return fail(std::string("not a JSON object"));

    BackendModeFile file;
    auto modes = string_field(root, "backendmode");
    if (!modes) return fail(std::move(modes).error());
    // Upstream splits on each single space: "" and "A  B" hold an empty mode.
    for (std::string_view mode : split(*modes, ' ')) {
        const std::string_view canonical = backend_mode_name(mode);
        if (canonical.empty()) return fail("backend-mode " + quote(mode) + " is not a valid mode");
        if (std::find(file.modes.begin(), file.modes.end(), canonical) != file.modes.end())
            return fail("backend mode " + quote(mode) + " is listed twice");
        file.modes.emplace_back(canonical);
    }
    auto version = string_field(root, "version");
    if (!version) return fail(std::move(version).error());
    file.version = std::move(version).value();
    auto updated = string_field(root, "lastupdateddatetime");
    if (!updated) return fail(std::move(updated).error());
    if (!updated->empty()) {
        long long seconds = 0;
        const char* end = updated->data() + updated->size();
        const auto [at, error] = std::from_chars(updated->data(), end, seconds);
        if (error == std::errc{} && at == end) {
            file.updated_at = seconds;
        } else {
            file.warnings.push_back("LastUpdatedDateTime " + quote(*updated) + " is not Unix seconds; no latency");
        }
    }
    return file;
}

}  // namespace aia::config
