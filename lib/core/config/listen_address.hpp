#pragma once
// Where a listener binds, written as Go's net/http takes it: ":21363" (every
// interface), "127.0.0.1:21363", "[::1]:21363"; port 0 picks a free one.
// "off" names no listener.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace aia::config {

struct ListenAddress {
    std::string host;  // an IP literal; empty: every interface
    std::uint16_t port = 0;
};

// nullopt for "off".
Result<std::optional<ListenAddress>, std::string> parse_listen_address(std::string_view text);

}  // namespace aia::config
