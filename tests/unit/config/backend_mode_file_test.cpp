#include "core/config/backend_mode_file.hpp"

#include <catch2/catch.hpp>

using aia::config::parse_backend_mode_file;

TEST_CASE("the backend-mode file gives the chain in order, aliases by their canonical names", "[config]") {
    const auto file = parse_backend_mode_file(
        R"({"backendMode": "ConfigMap DynamicFile File", "Version": "7", "LastUpdatedDateTime": "1700000000"})");
    REQUIRE(file.ok());
    CHECK(file->modes == std::vector<std::string>{"EKSConfigMap", "DynamicFile", "MountedFile"});
    CHECK(file->version == "7");
    CHECK(file->updated_at == 1700000000LL);
    CHECK(file->warnings.empty());
}

TEST_CASE("the backend-mode file's keys match in any letter case, as Go reads them", "[config]") {
    const auto file = parse_backend_mode_file(R"({"BACKENDMODE": "CRD", "version": "1"})");
    REQUIRE(file.ok());
    CHECK(file->modes == std::vector<std::string>{"CRD"});
    CHECK_FALSE(file->updated_at.has_value());
    CHECK(parse_backend_mode_file(R"({"backendMode": "CRD", "BackendMode": "MountedFile"})").error() ==
          "backendmode is given twice (in some letter case)");
}

TEST_CASE("a backend-mode file that names no valid chain is refused", "[config]") {
    CHECK(parse_backend_mode_file("").error() == "not valid JSON");
    CHECK(parse_backend_mode_file("[]").error() == "not a JSON object");
    CHECK(parse_backend_mode_file("{}").error() == "backend-mode \"\" is not a valid mode");
    CHECK(parse_backend_mode_file(R"({"backendMode": "MountedFile  DynamicFile"})").error() ==
          "backend-mode \"\" is not a valid mode");
    CHECK(parse_backend_mode_file(R"({"backendMode": "MountedFile,DynamicFile"})").error() ==
          "backend-mode \"MountedFile,DynamicFile\" is not a valid mode");
    CHECK(parse_backend_mode_file(R"({"backendMode": "File MountedFile"})").error() ==
          "backend mode \"MountedFile\" is listed twice");
    CHECK(parse_backend_mode_file(R"({"backendMode": ["MountedFile"]})").error() == "backendmode is not a string");
    CHECK(parse_backend_mode_file(R"({"backendMode": "MountedFile", "x": [[[[[[]]]]]]})").error() ==
          "nested too deeply");
}

TEST_CASE("a LastUpdatedDateTime that is not Unix seconds only costs the latency sample", "[config]") {
    const auto file = parse_backend_mode_file(R"({"backendMode": "MountedFile", "LastUpdatedDateTime": "soon"})");
    REQUIRE(file.ok());
    CHECK_FALSE(file->updated_at.has_value());
    CHECK(file->warnings == std::vector<std::string>{"LastUpdatedDateTime \"soon\" is not Unix seconds; no latency"});
}
