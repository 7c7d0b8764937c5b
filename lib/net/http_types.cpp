#include "net/http_types.hpp"

#include "core/util/ascii.hpp"

namespace aia::net {

std::string_view HttpRequest::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (ascii::iequals(key, name)) return value;
    }
    return {};
}

}  // namespace aia::net
