#pragma once
// A scanner for "plain" JSON, read in place: every string printable ASCII
// without escapes, every number an integer of at most 15 digits, nesting
// within a limit. Such text means the same to every JSON parser, so a fast
// path built on it can answer for the bodies it is sure of and leave all
// others — and every error — to the general parser (nlohmann). Any doubt
// makes it give up; it never reports an error of its own.

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace aia::plain_json {

// Whether a JSON string holds `c` as itself: printable ASCII but '"' and '\\'.
constexpr bool is_verbatim(char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; }

// The position of the first byte at or after `from` that is not verbatim,
// or text.size(). Eight bytes at a time: tokens of 1-2 KB are scanned in
// every review's body and STS answer.
inline std::size_t find_not_verbatim(std::string_view text, std::size_t from = 0) {
    std::size_t at = from;
    if constexpr (std::endian::native == std::endian::little) {
        constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
        constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
        // Each test flags its lowest matching byte exactly (a borrow or
        // carry only disturbs the bytes above it), so the lowest flag of
        // all of them is the first byte that is not verbatim.
        const auto zero_byte = [](std::uint64_t v) { return (v - kOnes) & ~v & kHighs; };
        for (; at + 8 <= text.size(); at += 8) {
            std::uint64_t x;
            std::memcpy(&x, text.data() + at, sizeof x);
            const std::uint64_t below_space = (x - kOnes * 0x20) & ~x & kHighs;
            const std::uint64_t above_tilde = ((x + kOnes) | x) & kHighs;  // 0x7f and up
            const std::uint64_t special =
                below_space | above_tilde | zero_byte(x ^ (kOnes * '"')) | zero_byte(x ^ (kOnes * '\\'));
            if (special != 0) return at + static_cast<std::size_t>(std::countr_zero(special)) / 8;
        }
    }
    while (at < text.size() && is_verbatim(text[at])) ++at;
    return at;
}

// Reads one JSON value at a time; any doubt sets unsure() and stops.
class Scanner {
public:
    Scanner(std::string_view text, int max_depth) : text_(text), max_depth_(max_depth) {}

    bool unsure() const { return unsure_; }

    void skip_space() {
        while (at_ < text_.size() &&
               (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t')) {
            ++at_;
        }
    }

    bool at_end() {
        skip_space();
        return at_ == text_.size();
    }

    // Consumes `c` (after space) or gives up.
    bool expect(char c) {
        skip_space();
        if (at_ < text_.size() && text_[at_] == c) {
            ++at_;
            return true;
        }
        return give_up();
    }

    // True and consumes `c` when it comes next (after space).
    bool next_is(char c) {
        skip_space();
        if (at_ < text_.size() && text_[at_] == c) {
            ++at_;
            return true;
        }
        return false;
    }

    bool peek_is(char c) {
        skip_space();
        return at_ < text_.size() && text_[at_] == c;
    }

    // A string of printable ASCII without escapes, in place.
    std::optional<std::string_view> string() {
        if (!expect('"')) return std::nullopt;
        const std::size_t start = at_;
        at_ = find_not_verbatim(text_, at_);
        if (at_ < text_.size() && text_[at_] == '"') return text_.substr(start, at_++ - start);
        give_up();
        return std::nullopt;
    }

    // Any value, checked and skipped.
    bool skip_value(int depth) {
        skip_space();
        if (at_ >= text_.size()) return give_up();
        switch (text_[at_]) {
            case '"':
                return string().has_value();
            case '{':
                return skip_object(depth + 1);
            case '[':
                return skip_array(depth + 1);
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                return integer();
        }
    }

    // Positioned after an object's '{': walks its members, calling
    // `member(key)` with the scanner before each value; `member` reads the
    // value or returns false to have it skipped.
    template <class Member>
    bool object_members(int depth, Member member) {
        if (depth > max_depth_) return give_up();
        if (next_is('}')) return true;
        do {
            const auto key = string();
            if (!key || !expect(':')) return false;
            const bool consumed = member(*key);
            if (unsure_ || (!consumed && !skip_value(depth))) return false;
        } while (next_is(','));
        return expect('}');
    }

private:
    bool give_up() {
        unsure_ = true;
        return false;
    }

    bool literal(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) return give_up();
        at_ += word.size();
        return true;
    }

    // -?(0|[1-9][0-9]*), at most 15 digits: exact in any parser.
    bool integer() {
        if (at_ < text_.size() && text_[at_] == '-') ++at_;
        const std::size_t start = at_;
        while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
        const std::size_t digits = at_ - start;
        if (digits == 0 || digits > 15 || (digits > 1 && text_[start] == '0')) return give_up();
        if (at_ < text_.size() && (text_[at_] == '.' || text_[at_] == 'e' || text_[at_] == 'E')) return give_up();
        return true;
    }

    bool skip_object(int depth) {
        ++at_;  // '{'
        return object_members(depth, [](std::string_view) { return false; });
    }

    bool skip_array(int depth) {
        ++at_;  // '['
        if (depth > max_depth_) return give_up();
        if (next_is(']')) return true;
        do {
            if (!skip_value(depth)) return false;
        } while (next_is(','));
        return expect(']');
    }

    std::string_view text_;
    std::size_t at_ = 0;
    int max_depth_;
    bool unsure_ = false;
};

// Reads a string member into `slot` once; a repeat or another type is a
// doubt (the general parser decides those: last one wins, or an error).
inline bool read_string_once(Scanner& scan, std::optional<std::string_view>& slot, bool& doubt) {
    if (slot || !scan.peek_is('"')) {
        doubt = true;
        return false;
    }
    slot = scan.string();
    return true;
}

}  // namespace aia::plain_json
