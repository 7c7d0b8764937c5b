#include "core/sigv4/canonical_request.hpp"

#include <algorithm>
#include <map>

#include "core/url/query_string.hpp"
#include "core/util/ascii.hpp"
#include "core/util/percent_encoding.hpp"

namespace aia::sigv4 {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string normalize_path(std::string_view path) {
    std::vector<std::string_view> segments;
    bool trailing_slash = false;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t slash = std::min(path.find('/', start), path.size());
        const std::string_view segment = path.substr(start, slash - start);
        const bool last = slash == path.size();
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        // A path ending in '/', "." or ".." names a directory.
        if (last) trailing_slash = segment.empty() || segment == "." || segment == "..";
        start = slash + 1;
    }
    std::string out;
    for (std::string_view segment : segments) {
        out += '/';
        out += segment;
    }
    if (out.empty() || trailing_slash) out += '/';
    return out;
}

std::string collapse_whitespace(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    bool pending_space = false;
    for (char c : value) {
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

}  // namespace

std::string canonical_uri(std::string_view raw_path, bool normalize) {
    if (raw_path.empty()) return "/";
    const std::string path = normalize ? normalize_path(raw_path) : std::string(raw_path);
    return percent::encode_sigv4(path, percent::Slash::Keep);
}

std::string canonical_query(std::string_view raw_query, const std::vector<std::string_view>& skip) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const url::QueryParam& param : url::parse_query_lenient(raw_query)) {
        if (std::find(skip.begin(), skip.end(), param.key) != skip.end()) continue;
        pairs.emplace_back(percent::encode_sigv4(param.key), percent::encode_sigv4(param.value));
    }
    std::sort(pairs.begin(), pairs.end());

    std::string out;
    for (const auto& [key, value] : pairs) {
        if (!out.empty()) out += '&';
        out += key;
        out += '=';
        out += value;
    }
    return out;
}

CanonicalHeaders canonical_headers(const std::vector<Header>& headers) {
    std::map<std::string, std::vector<std::string>> merged;  // sorted by lower-case name
    for (const Header& header : headers) {
        merged[ascii::to_lower(header.name)].push_back(collapse_whitespace(header.value));
    }
    CanonicalHeaders out;
    for (const auto& [name, values] : merged) {
        out.text += name;
        out.text += ':';
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i > 0) out.text += ',';
            out.text += values[i];
        }
        out.text += '\n';
        if (!out.signed_headers.empty()) out.signed_headers += ';';
        out.signed_headers += name;
    }
    return out;
}

std::string canonical_request(std::string_view method, std::string_view canonical_uri, std::string_view canonical_query,
                              const CanonicalHeaders& headers, std::string_view payload_hash) {
    std::string out;
    out.reserve(method.size() + canonical_uri.size() + canonical_query.size() + headers.text.size() +
                headers.signed_headers.size() + payload_hash.size() + 8);
    out.append(method).append("\n");
    out.append(canonical_uri).append("\n");
    out.append(canonical_query).append("\n");
    out.append(headers.text).append("\n");
    out.append(headers.signed_headers).append("\n");
    out.append(payload_hash);
    return out;
}

}  // namespace aia::sigv4
