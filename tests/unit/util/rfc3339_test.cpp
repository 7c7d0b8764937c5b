#include <catch2/catch.hpp>

#include "core/util/amz_time.hpp"

using namespace aia;
using std::chrono::seconds;

TEST_CASE("RFC 3339 timestamps as AWS writes expirations", "[time]") {
    CHECK(amz_time::parse_rfc3339("2023-04-28T00:00:00Z")->time_since_epoch() == seconds{1682640000});
    CHECK(amz_time::parse_rfc3339("2023-04-28T00:00:00.123Z")->time_since_epoch() == seconds{1682640000});
    CHECK(amz_time::parse_rfc3339("2023-04-28T00:00:00+00:00")->time_since_epoch() == seconds{1682640000});
    for (const char* bad : {"", "2023-04-28", "2023-04-28T00:00:00", "2023-04-28T00:00:00+02:00",
                            "2023-04-28 00:00:00Z", "2023-02-30T00:00:00Z", "2023-04-28T00:00:00.Z"}) {
        INFO(bad);
        CHECK_FALSE(amz_time::parse_rfc3339(bad).ok());
    }
}
