// The example files in config/ load cleanly with our own parsers, so the
// documentation cannot drift from what the server accepts.

#include <catch2/catch.hpp>

#include "core/config/server_config.hpp"
#include "core/mapping/aws_auth.hpp"
#include "core/mapping/dynamic_file.hpp"
#include "core/mapping/mapping_table.hpp"
#include "support/files.hpp"

using namespace aia;

namespace {

std::filesystem::path config_dir() { return aia::test::data_dir().parent_path().parent_path() / "config"; }

void expect_clean_table(mapping::MappingConfig config) {
    std::vector<std::string> problems;
    const auto table = mapping::MappingTable::build(std::move(config), {.sso_enabled = true}, problems);
    CHECK(problems.empty());
    CHECK(table.role_count() + table.user_count() > 0);
}

}  // namespace

TEST_CASE("config/default.yaml and the upstream-style example are valid", "[examples]") {
    for (const char* name : {"default.yaml", "examples/upstream-style.yaml"}) {
        INFO(name);
        auto parsed = config::parse_server_config(aia::test::read_file(config_dir() / name));
        REQUIRE(parsed.ok());
        CHECK(parsed->warnings.empty());
        CHECK(config::validate(parsed->config).ok());
        expect_clean_table(parsed->config.mappings);
    }
}

TEST_CASE("config/examples/aws-auth.yaml is a valid aws-auth ConfigMap", "[examples]") {
    auto data = mapping::parse_config_map_manifest(aia::test::read_file(config_dir() / "examples/aws-auth.yaml"));
    REQUIRE(data.ok());
    auto content = mapping::parse_aws_auth_data(*data);
    REQUIRE(content.ok());
    CHECK(content->warnings.empty());
    CHECK(content->config.roles.size() == 4);
    expect_clean_table(content->config);
}

TEST_CASE("config/examples/dynamic-file.json is a valid DynamicFile", "[examples]") {
    auto content = mapping::parse_dynamic_file(aia::test::read_file(config_dir() / "examples/dynamic-file.json"), true);
    REQUIRE(content.ok());
    std::vector<std::string> problems;
    const auto table = mapping::MappingTable::build(content->config, {.user_id_strict = true}, problems);
    CHECK(problems.empty());
    CHECK(table.role_count() == 1);
}
