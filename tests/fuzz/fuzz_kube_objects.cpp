// libFuzzer target: what the Kubernetes API sends (a watch event line, a
// list, an error Status) and what the objects in it become (an aws-auth
// ConfigMap, IAMIdentityMappings), plus EKS's backend-mode file. The first
// byte picks the reader. Properties beyond "no crash, no UB": every refusal
// has a reason, and a resourceVersion taken from an event is its object's.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/config/backend_mode_file.hpp"
#include "core/kube/aws_auth_object.hpp"
#include "core/kube/iam_identity_mapping.hpp"
#include "core/kube/watch_events.hpp"

namespace {

template <class R>
void require_reason(const R& result) {
    if (!result && result.error().empty()) std::abort();
}

void objects(const nlohmann::json& object) {
    const auto aws_auth = aia::kube::parse_aws_auth_object(object);
    if (!aws_auth && aws_auth.error().what.empty()) std::abort();
    auto mapping = aia::kube::parse_identity_mapping(object);
    require_reason(mapping);
    if (mapping) {
        std::vector<std::string> warnings;
        require_reason(aia::kube::status_canonical_arn(mapping->arn));
        (void)aia::kube::identity_mappings_to_config({*mapping}, warnings);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const aia::kube::JsonLimits limits{.max_bytes = 1 << 20, .max_depth = 32};
    switch (data[0] % 4) {
        case 0: {
            const auto event = aia::kube::parse_watch_event(text, limits);
            require_reason(event);
            if (event && event->type != aia::kube::EventType::Error) objects(event->object);
            break;
        }
        case 1: {
            const auto list = aia::kube::parse_object_list(text, limits);
            require_reason(list);
            if (list) {
                for (const auto& item : list->items) objects(item);
            }
            break;
        }
        case 2:
            require_reason(aia::kube::parse_status(text, limits));
            break;
        default:
            require_reason(aia::config::parse_backend_mode_file(text));
            break;
    }
    return 0;
}
