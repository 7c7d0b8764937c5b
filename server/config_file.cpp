#include "config_file.hpp"

#include <fstream>
#include <sstream>

namespace aia::cli {

Result<config::ParsedConfig, std::string> read_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot read config file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = config::parse_server_config(text.str());
    if (!parsed) return fail(path + ": " + parsed.error());
    return std::move(parsed).value();
}

}  // namespace aia::cli
