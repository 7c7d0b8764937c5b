#include "token_pool.hpp"

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/file_reading.hpp"
#include "core/token/token_generator.hpp"

namespace aia::bench {
namespace {

std::string review_body(const std::string& token) {
    return nlohmann::json{
        {"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenReview"}, {"spec", {{"token", token}}}}
        .dump();
}

Result<std::string, std::string> read_file(const std::string& path) {
    auto text = app::read_file(path, app::kMaxConfigFileBytes);
    if (!text) return fail(std::move(text).error().message);
    return std::move(text).value();
}

}  // namespace

Result<TokenPool, std::string> TokenPool::create(const TokenPoolOptions& options, amz_time::Seconds now) {
    TokenPool pool;
    pool.options_ = options;
    if (!options.tokens_file.empty()) {
        auto text = read_file(options.tokens_file);
        if (!text) return fail(text.error());
        std::istringstream lines(*text);
        for (std::string line; std::getline(lines, line);) {
            if (!line.empty()) pool.valid_.push_back(review_body(line));
        }
        if (pool.valid_.empty()) return fail(options.tokens_file + ": no tokens");
        if (options.invalid_ratio > 0)
            return fail(std::string("--invalid-ratio needs --identities (tokens are signed here)"));
        return pool;
    }
    auto text = read_file(options.identities_file);
    if (!text) return fail(text.error());
    const nlohmann::json fixture = nlohmann::json::parse(*text, nullptr, false);
    if (fixture.is_discarded() || !fixture.contains("identities") || !fixture["identities"].is_array()) {
        return fail(options.identities_file + ": expected {\"identities\": [...]}");
    }
    for (const auto& entry : fixture["identities"]) {
        if (!entry.contains("accessKeyId") || !entry.contains("secretAccessKey")) continue;
        pool.identities_.push_back({entry["accessKeyId"].get<std::string>(),
                                    entry["secretAccessKey"].get<std::string>(),
                                    entry.value("sessionToken", std::string{})});
    }
    if (pool.identities_.empty()) return fail(options.identities_file + ": no identities");
    if (options.cluster_id.empty()) return fail(std::string("a cluster ID is needed to sign tokens"));
    pool.sign(now);
    return pool;
}

void TokenPool::sign(amz_time::Seconds now) {
    valid_.clear();
    invalid_.clear();
    for (const Identity& identity : identities_) {
        token::TokenRequest request;
        request.credentials = {identity.access_key_id, identity.secret_access_key, identity.session_token};
        request.cluster_id = options_.cluster_id;
        request.endpoint = token::default_sts_endpoint(options_.region);
        request.now = now;
        valid_.push_back(review_body(token::generate_token(request).token));
        request.credentials.secret_access_key += "-wrong";
        invalid_.push_back(review_body(token::generate_token(request).token));
    }
    signed_at_ = now;
}

void TokenPool::refresh_if_older(amz_time::Seconds now, std::chrono::seconds max_age) {
    if (!identities_.empty() && now - signed_at_ > max_age) sign(now);
}

bool TokenPool::is_invalid(std::uint64_t n) const {
    const double ratio = options_.invalid_ratio;
    if (ratio <= 0) return false;
    // Request n is invalid when the running count of invalid ones steps up.
    return std::floor(static_cast<double>(n + 1) * ratio) > std::floor(static_cast<double>(n) * ratio);
}

const std::string& TokenPool::body(std::uint64_t n) const {
    const auto& bodies = is_invalid(n) && !invalid_.empty() ? invalid_ : valid_;
    return bodies[n % bodies.size()];
}

}  // namespace aia::bench
