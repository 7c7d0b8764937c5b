#include "core/util/amz_time.hpp"

#include <cstdio>

#include "core/util/ascii.hpp"

namespace aia::amz_time {
namespace {

struct Fields {
    int year, month, day, hour, minute, second;
};

Fields split(Seconds t) {
    const auto days = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{days};
    const std::chrono::hh_mm_ss hms{t - days};
    return {int(ymd.year()),          int(unsigned(ymd.month())), int(unsigned(ymd.day())),
            int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count())};
}

int digits(std::string_view s, std::size_t pos, std::size_t count) {
    int value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) value = value * 10 + (s[i] - '0');
    return value;
}

template <class... Args>
std::string print(const char* format, Args... args) {
    char buffer[64];
    const int n = std::snprintf(buffer, sizeof buffer, format, args...);
    return std::string(buffer, n > 0 ? std::size_t(n) : 0);
}

}  // namespace

Result<Seconds, std::string> parse_amz_date(std::string_view text) {
    // Layout: YYYYMMDD 'T' HHMMSS 'Z'
    if (text.size() != 16) return fail(std::string("expected 16 characters, YYYYMMDDTHHMMSSZ"));
    for (std::size_t i : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 9u, 10u, 11u, 12u, 13u, 14u}) {
        if (!ascii::is_digit(text[i])) return fail(std::string("expected a digit at position ") + std::to_string(i));
    }
    if (text[8] != 'T') return fail(std::string("expected 'T' at position 8"));
    if (text[15] != 'Z') return fail(std::string("expected 'Z' at position 15"));

    const std::chrono::year_month_day ymd{std::chrono::year{digits(text, 0, 4)},
                                          std::chrono::month{unsigned(digits(text, 4, 2))},
                                          std::chrono::day{unsigned(digits(text, 6, 2))}};
    if (!ymd.ok()) return fail(std::string("day out of range"));
    const int hour = digits(text, 9, 2), minute = digits(text, 11, 2), second = digits(text, 13, 2);
    if (hour > 23) return fail(std::string("hour out of range"));
    if (minute > 59) return fail(std::string("minute out of range"));
    if (second > 59) return fail(std::string("second out of range"));

    return Seconds{std::chrono::sys_days{ymd}} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
           std::chrono::seconds{second};
}

Result<Seconds, std::string> parse_rfc3339(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)
    if (text.size() < 20) return fail(std::string("too short for YYYY-MM-DDTHH:MM:SSZ"));
    std::string basic;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) basic += text[i];
    basic += 'T';
    for (std::size_t i : {11u, 12u, 14u, 15u, 17u, 18u}) basic += text[i];
    basic += 'Z';
    if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
        text[16] != ':') {
        return fail(std::string("expected YYYY-MM-DDTHH:MM:SS"));
    }
    std::string_view rest = text.substr(19);
    if (rest.starts_with(".")) {
        std::size_t digits = 1;
        while (digits < rest.size() && ascii::is_digit(rest[digits])) ++digits;
        if (digits == 1) return fail(std::string("empty fraction"));
        rest.remove_prefix(digits);
    }
    if (rest != "Z" && rest != "z" && rest != "+00:00" && rest != "-00:00") {
        return fail(std::string("only UTC times are accepted (Z or +00:00)"));
    }
    return parse_amz_date(basic);
}

std::string format_amz_date(Seconds t) {
    const Fields f = split(t);
    return print("%04d%02d%02dT%02d%02d%02dZ", f.year, f.month, f.day, f.hour, f.minute, f.second);
}

std::string format_date_stamp(Seconds t) {
    const Fields f = split(t);
    return print("%04d%02d%02d", f.year, f.month, f.day);
}

std::string format_rfc3339(Seconds t) {
    const Fields f = split(t);
    return print("%04d-%02d-%02dT%02d:%02d:%02dZ", f.year, f.month, f.day, f.hour, f.minute, f.second);
}

std::string format_go_utc(Seconds t) {
    const Fields f = split(t);
    return print("%04d-%02d-%02d %02d:%02d:%02d +0000 UTC", f.year, f.month, f.day, f.hour, f.minute, f.second);
}

}  // namespace aia::amz_time
