#include <catch2/catch.hpp>

#include "core/util/go_fold.hpp"

using namespace aia;

TEST_CASE("keys fold as Go's encoding/json compares them with field names", "[go-fold]") {
    CHECK(go_fold::fold("RoleARN") == "rolearn");
    CHECK(go_fold::fold("rOlEaRn") == "rolearn");
    CHECK(go_fold::fold("u\xC5\xBF"
                        "ername") == "username");  // U+017F long s
    CHECK(go_fold::fold("\xE2\x84\xAA"
                        "ind") == "kind");                 // U+212A Kelvin sign
    CHECK(go_fold::fold("caf\xC3\xA9") == "caf\xC3\xA9");  // other letters stay as they are
    CHECK(go_fold::fold("") == "");
    CHECK(go_fold::names_field("USERID", "userid"));
    CHECK_FALSE(go_fold::names_field("user_id", "userid"));
    CHECK_FALSE(go_fold::names_field("us\xC3\xA9rid", "userid"));
}
