// Log lines in upstream's two renderings: logrus' text and JSON formatters.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "app/logger.hpp"

using namespace aia;

TEST_CASE("logger: lists are bracketed in text lines and arrays in JSON lines, as logrus", "[logger]") {
    const std::vector<app::LogField> fields{{"username", "admin:alice"},
                                            app::list_field("groups", {"system:masters", "dev ops"})};
    const std::string text =
        app::Logger(app::LogFormat::Text, "info").format(app::LogLevel::Info, "access granted", fields);
    // logrus quotes any value with a character outside [A-Za-z0-9-._/@^+].
    CHECK(text.find(R"( level=info msg="access granted" username="admin:alice" groups="[system:masters dev ops]")") !=
          std::string::npos);
    const auto json =
        nlohmann::json::parse(app::Logger(app::LogFormat::Json, "info").format(app::LogLevel::Info, "x", fields));
    CHECK(json["groups"] == nlohmann::json::array({"system:masters", "dev ops"}));
    CHECK(json["username"] == "admin:alice");
    CHECK(json["level"] == "info");
    const auto empty = nlohmann::json::parse(
        app::Logger(app::LogFormat::Json, "info").format(app::LogLevel::Warn, "y", {app::list_field("groups", {})}));
    CHECK(empty["groups"] == nlohmann::json::array());
    CHECK(empty["level"] == "warning");
}

TEST_CASE("logger: values cannot forge a line or a key", "[logger]") {
    const std::string text = app::Logger(app::LogFormat::Text, "info")
                                 .format(app::LogLevel::Warn, "access denied",
                                         {{"error", "bad\ntime=\"x\" level=error msg=forged"}, {"client", "a b"}});
    CHECK(text.find('\n') == std::string::npos);
    CHECK(text.find(R"(client="a b")") != std::string::npos);
}
