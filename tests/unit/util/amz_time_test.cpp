#include <catch2/catch.hpp>

#include "core/util/amz_time.hpp"

using namespace aia;
using std::chrono::seconds;

TEST_CASE("X-Amz-Date parses to the Unix time it names", "[time]") {
    CHECK(amz_time::parse_amz_date("20230428T000000Z")->time_since_epoch() == seconds{1682640000});
    CHECK(amz_time::parse_amz_date("19700101T000000Z")->time_since_epoch() == seconds{0});
    CHECK(amz_time::parse_amz_date("20240229T235959Z")->time_since_epoch() == seconds{1709251199});
}

TEST_CASE("X-Amz-Date must be exactly YYYYMMDDTHHMMSSZ", "[time]") {
    for (const char* bad :
         {"", "xxxxxxx", "20230428T000000", "20230428T000000z", "20230428 000000Z", "2023-04-28T00:00:00Z",
          "20230428T0000000Z", "+0230428T000000Z", "20230428T00000aZ", "20231328T000000Z", "20230230T000000Z",
          "20230229T000000Z", "20230400T000000Z", "20230428T240000Z", "20230428T006000Z", "20230428T000060Z"}) {
        INFO(bad);
        CHECK_FALSE(amz_time::parse_amz_date(bad).ok());
    }
}

TEST_CASE("timestamps format as SigV4, RFC 3339 and Go print them", "[time]") {
    const amz_time::Seconds t{seconds{1440938160}};  // 2015-08-30T12:36:00Z
    CHECK(amz_time::format_amz_date(t) == "20150830T123600Z");
    CHECK(amz_time::format_date_stamp(t) == "20150830");
    CHECK(amz_time::format_rfc3339(t) == "2015-08-30T12:36:00Z");
    CHECK(amz_time::format_go_utc(t) == "2015-08-30 12:36:00 +0000 UTC");
    CHECK(*amz_time::parse_amz_date(amz_time::format_amz_date(t)) == t);
}
