// The strict reading (token validation) and the lenient one (SigV4
// canonicalization) share one tokenizer; these tests hold them to it over
// every query the fuzz corpora know: wherever the strict reading accepts a
// query, the lenient one sees exactly the same pairs, and the canonical query
// is built from exactly those pairs.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/sigv4/canonical_request.hpp"
#include "core/url/query_string.hpp"
#include "core/url/url_parts.hpp"
#include "core/util/base64.hpp"
#include "core/util/percent_encoding.hpp"

using namespace aia;

namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// The query of a URL, or of the URL inside a k8s-aws-v1 token.
std::vector<std::string> queries_in(std::string text) {
    std::vector<std::string> out{text};
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    while (!text.empty() && text.front() == ' ') text.erase(0, 1);
    constexpr std::string_view kPrefix = "k8s-aws-v1.";
    if (text.rfind(kPrefix, 0) == 0) {
        if (auto decoded = base64::decode_url_unpadded(std::string_view(text).substr(kPrefix.size()))) text = *decoded;
    }
    if (auto url = url::split_url(text); url && url->query) out.emplace_back(*url->query);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) out.push_back(line);
    return out;
}

std::vector<std::string> corpus_queries() {
    std::vector<std::string> out;
    for (const char* target : {"query_string", "token_validator"}) {
        const std::filesystem::path dir = std::filesystem::path(AIA_FUZZ_CORPUS_DIR) / target;
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            for (auto& query : queries_in(read_file(entry.path()))) out.push_back(std::move(query));
        }
    }
    return out;
}

std::string canonical_from(const std::vector<url::QueryParam>& params) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& p : params) pairs.emplace_back(percent::encode_sigv4(p.key), percent::encode_sigv4(p.value));
    std::sort(pairs.begin(), pairs.end());
    std::string out;
    for (const auto& [key, value] : pairs) out += (out.empty() ? "" : "&") + key + "=" + value;
    return out;
}

}  // namespace

TEST_CASE("where the strict reading accepts a corpus query, the lenient one reads the same pairs", "[query]") {
    const auto queries = corpus_queries();
    REQUIRE(queries.size() >= 40);
    std::size_t accepted = 0;
    for (const std::string& query : queries) {
        INFO("query: " << query);
        const auto lenient = url::parse_query_lenient(query);
        const auto strict = url::parse_query_strict(query);
        if (!strict) continue;
        ++accepted;
        CHECK(*strict == lenient);
        CHECK(sigv4::canonical_query(query) == canonical_from(*strict));
    }
    // The corpora hold valid presigned queries, so the strict side is exercised.
    CHECK(accepted >= 10);
}

TEST_CASE("the two readings differ only where the strict one refuses", "[query]") {
    struct Case {
        const char* query;
        const char* strict_error;
        std::vector<url::QueryParam> lenient;
    };
    const std::vector<Case> cases = {
        {"a=1;b=2", "invalid semicolon separator in query", {{"a", "1;b=2"}}},
        {"a=1+2", "ambiguous '+' in query", {{"a", "1+2"}}},
        {"a=%zz", "invalid percent-escape in parameter value", {{"a", "%zz"}}},
        {"%=1", "invalid percent-escape in parameter name", {{"%", "1"}}},
    };
    for (const Case& c : cases) {
        INFO("query: " << c.query);
        const auto strict = url::parse_query_strict(c.query);
        REQUIRE_FALSE(strict.ok());
        CHECK(strict.error() == c.strict_error);
        CHECK(url::parse_query_lenient(c.query) == c.lenient);
    }
}
