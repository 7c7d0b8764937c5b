#include <catch2/catch.hpp>

#include "core/util/ip_literal.hpp"

using aia::is_ip_literal;
using aia::is_ipv4_literal;
using aia::is_ipv6_literal;

TEST_CASE("IPv4 literals: four decimal bytes, no leading zeros", "[ip]") {
    for (const char* good : {"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.0.12.3"}) {
        CHECK(is_ipv4_literal(good));
        CHECK(is_ip_literal(good));
    }
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.", "a.b.c.d", "1..2.3",
                            " 1.2.3.4", "localhost", "1.2.3.4:80"}) {
        CHECK_FALSE(is_ip_literal(bad));
    }
}

TEST_CASE("IPv6 literals: eight groups, or fewer around one ::", "[ip]") {
    for (const char* good : {"::", "::1", "1::", "fe80::1", "2001:db8:0:0:0:0:0:1", "2001:DB8::8:800:200C:417A",
                             "::ffff:10.0.0.1", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4"}) {
        CHECK(is_ipv6_literal(good));
        CHECK(is_ip_literal(good));
    }
    for (const char* bad :
         {"", ":", ":::", "1:::2", "1::2::3", "12345::", "g::1", ":1", "1:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
          "1:2:3:4:5:6:7::8", "[::1]", "fe80::1%eth0", "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4"}) {
        CHECK_FALSE(is_ipv6_literal(bad));
    }
}
