#include "core/util/xml.hpp"

#include <optional>

#include "core/util/ascii.hpp"

namespace aia::xml {
namespace {

bool is_name_char(char c) {
    return ascii::is_alnum(c) || c == '_' || c == '-' || c == '.' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}

void append_utf8(std::string& out, unsigned long code) {
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xc0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xe0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (code & 0x3f));
    }
}

class Parser {
public:
    explicit Parser(std::string_view text) : s_(text) {}

    Result<Element, std::string> document() {
        skip_misc();
        if (!at('<')) return fail(error("expected the root element"));
        Element root;
        if (auto problem = element(root, 1)) return fail(std::move(*problem));
        skip_misc();
        if (pos_ != s_.size()) return fail(error("content after the root element"));
        return root;
    }

private:
    std::string error(std::string_view what) const { return std::string(what) + " at byte " + std::to_string(pos_); }
    bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
    bool at(std::string_view prefix) const { return s_.substr(pos_).starts_with(prefix); }
    void skip_space() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n'))
            ++pos_;
    }

    // Whitespace, comments and processing instructions (the declaration).
    void skip_misc() {
        while (true) {
            skip_space();
            if (at("<?")) {
                const std::size_t end = s_.find("?>", pos_);
                pos_ = end == std::string_view::npos ? s_.size() : end + 2;
            } else if (at("<!--")) {
                const std::size_t end = s_.find("-->", pos_);
                pos_ = end == std::string_view::npos ? s_.size() : end + 3;
            } else {
                return;
            }
        }
    }

    std::string name() {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
        return std::string(s_.substr(start, pos_ - start));
    }

    std::optional<std::string> decode_into(std::string& out, std::string_view raw) {
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '&') {
                out += raw[i];
                continue;
            }
            const std::size_t semicolon = raw.find(';', i);
            if (semicolon == std::string_view::npos || semicolon - i > 10) return error("bad entity reference");
            const std::string_view entity = raw.substr(i + 1, semicolon - i - 1);
            if (entity == "lt")
                out += '<';
            else if (entity == "gt")
                out += '>';
            else if (entity == "amp")
                out += '&';
            else if (entity == "quot")
                out += '"';
            else if (entity == "apos")
                out += '\'';
            else if (entity.starts_with("#")) {
                const bool hex = entity.size() > 1 && (entity[1] == 'x' || entity[1] == 'X');
                const std::string digits(entity.substr(hex ? 2 : 1));
                if (digits.empty()) return error("bad character reference");
                for (char c : digits) {
                    if (!(hex ? ascii::is_hex_digit(c) : ascii::is_digit(c))) return error("bad character reference");
                }
                const unsigned long code = std::stoul(digits, nullptr, hex ? 16 : 10);
                if (code == 0 || code > 0x10ffff) return error("bad character reference");
                append_utf8(out, code);
            } else {
                return error("unknown entity &" + std::string(entity) + ";");
            }
            i = semicolon;
        }
        return std::nullopt;
    }

    // At '<' of a start tag.
    std::optional<std::string> element(Element& out, std::size_t depth) {
        if (depth > kMaxDepth) return error("nested too deeply");
        if (++elements_ > kMaxElements) return error("too many elements");
        ++pos_;  // '<'
        out.name = name();
        if (out.name.empty()) return error("expected an element name");
        // Attributes: name="value" or name='value', read past.
        while (true) {
            skip_space();
            if (at("/>")) {
                pos_ += 2;
                return std::nullopt;
            }
            if (at('>')) {
                ++pos_;
                break;
            }
            if (name().empty()) return error("expected an attribute name");
            skip_space();
            if (!at('=')) return error("expected '='");
            ++pos_;
            skip_space();
            if (!at('"') && !at('\'')) return error("expected a quoted attribute value");
            const char quote = s_[pos_++];
            const std::size_t end = s_.find(quote, pos_);
            if (end == std::string_view::npos) return error("unterminated attribute value");
            pos_ = end + 1;
        }
        // Content: text, children, comments, CDATA, until the end tag.
        while (true) {
            const std::size_t lt = s_.find('<', pos_);
            if (lt == std::string_view::npos) return error("unterminated element <" + out.name + ">");
            if (auto problem = decode_into(out.text, s_.substr(pos_, lt - pos_))) return problem;
            pos_ = lt;
            if (at("</")) {
                pos_ += 2;
                if (name() != out.name) return error("mismatched end tag for <" + out.name + ">");
                skip_space();
                if (!at('>')) return error("expected '>'");
                ++pos_;
                return std::nullopt;
            }
            if (at("<!--")) {
                const std::size_t end = s_.find("-->", pos_);
                if (end == std::string_view::npos) return error("unterminated comment");
                pos_ = end + 3;
            } else if (at("<![CDATA[")) {
                const std::size_t end = s_.find("]]>", pos_);
                if (end == std::string_view::npos) return error("unterminated CDATA");
                out.text.append(s_.substr(pos_ + 9, end - pos_ - 9));
                pos_ = end + 3;
            } else if (at("<!") || at("<?")) {
                return error("DOCTYPE and processing instructions are not accepted inside elements");
            } else {
                out.children.emplace_back();
                if (auto problem = element(out.children.back(), depth + 1)) return problem;
            }
        }
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    std::size_t elements_ = 0;
};

}  // namespace

const Element* Element::child(std::string_view child_name) const {
    for (const Element& c : children) {
        if (c.name == child_name) return &c;
    }
    return nullptr;
}

std::string_view Element::child_text(std::string_view child_name) const {
    const Element* c = child(child_name);
    return c ? std::string_view(c->text) : std::string_view{};
}

std::vector<const Element*> Element::children_named(std::string_view child_name) const {
    std::vector<const Element*> out;
    for (const Element& c : children) {
        if (c.name == child_name) out.push_back(&c);
    }
    return out;
}

Result<Element, std::string> parse(std::string_view document) {
    if (document.find("<!DOCTYPE") != std::string_view::npos) return fail(std::string("DOCTYPE is not accepted"));
    return Parser(document).document();
}

}  // namespace aia::xml
