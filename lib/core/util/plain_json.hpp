#pragma once
// A scanner for "plain" JSON, read in place: every string printable ASCII
// without escapes, every number an integer of at most 15 digits, nesting
// within a limit. Such text means the same to every JSON parser, so a fast
// path built on it can answer for the bodies it is sure of and leave all
// others — and every error — to the general parser (nlohmann). Any doubt
// makes it give up; it never reports an error of its own.

#include <optional>
#include <string_view>

namespace aia::plain_json {

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
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c == '"') return text_.substr(start, at_++ - start);
            if (c < 0x20 || c > 0x7e || c == '\\') break;
            ++at_;
        }
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
