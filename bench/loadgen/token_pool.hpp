#pragma once
// The TokenReview bodies loadgen sends: tokens it signs itself for every
// identity of an emulator fixture (fresh, and re-signed before they age
// out, so nothing expires mid-run), or tokens read from a file; with a
// share of invalid ones on request (signed with a wrong secret: they pass
// the offline checks and cost an STS round trip, as a real bad token does).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/amz_time.hpp"
#include "core/util/result.hpp"

namespace aia::bench {

struct TokenPoolOptions {
    std::string identities_file;  // the emulator's fixture ({"identities": [...]})
    std::string tokens_file;      // or: one token per line, sent as they are
    std::string cluster_id;
    std::string region = "us-west-2";
    double invalid_ratio = 0.0;  // 0..1
};

class TokenPool {
public:
    static Result<TokenPool, std::string> create(const TokenPoolOptions& options, amz_time::Seconds now);

    // The body for request number `n`: invalid ones are spread evenly.
    const std::string& body(std::uint64_t n) const;
    bool is_invalid(std::uint64_t n) const;

    // Re-signs every token when they are older than `max_age` (signed ones only).
    void refresh_if_older(amz_time::Seconds now, std::chrono::seconds max_age);

    std::size_t valid_count() const { return valid_.size(); }
    const std::vector<std::string>& valid_bodies() const { return valid_; }
    const std::vector<std::string>& invalid_bodies() const { return invalid_; }  // empty with a tokens file
    amz_time::Seconds signed_at() const { return signed_at_; }

private:
    void sign(amz_time::Seconds now);

    struct Identity {
        std::string access_key_id, secret_access_key, session_token;
    };
    TokenPoolOptions options_;
    std::vector<Identity> identities_;
    std::vector<std::string> valid_, invalid_;
    amz_time::Seconds signed_at_{};
};

}  // namespace aia::bench
