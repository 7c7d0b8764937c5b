#include "app/certificate_reloader.hpp"

#include <chrono>
#include <optional>

#include "app/file_reading.hpp"
#include "app/serving_certificate.hpp"
#include "net/tls_context.hpp"

namespace aia::app {
namespace {

// A pair is loaded once it has read the same for this long: as long as a
// rotation tool may take between writing the certificate and the key.
constexpr std::chrono::seconds kSettleTime{1};

std::optional<std::string> read_whole(const std::string& path) {
    auto content = read_file(path, kMaxSmallFileBytes);
    if (!content) return std::nullopt;
    return std::move(content).value();
}

struct Pair {
    std::string cert;
    std::string key;
    std::string error;  // empty when both files were read

    // What the reloader compares between rounds (a length prefix keeps the
    // boundary unambiguous).
    std::string fingerprint() const {
        return error.empty() ? std::to_string(cert.size()) + ":" + cert + key : "error: " + error;
    }
};

Pair read_pair(const std::string& cert_path, const std::string& key_path) {
    Pair pair;
    auto cert = read_whole(cert_path);
    auto key = read_whole(key_path);
    if (!cert)
        pair.error = "cannot read " + cert_path;
    else if (!key)
        pair.error = "cannot read " + key_path;
    else {
        pair.cert = std::move(*cert);
        pair.key = std::move(*key);
    }
    return pair;
}

}  // namespace

CertificateReloader::CertificateReloader(std::string cert_path, std::string key_path, std::string webhook_host,
                                         Install install, Logger& log, Metrics& metrics)
    : cert_path_(std::move(cert_path)),
      key_path_(std::move(key_path)),
      webhook_host_(std::move(webhook_host)),
      install_(std::move(install)),
      log_(log),
      metrics_(metrics),
      content_(kSettleTime) {
    content_.accept(read_pair(cert_path_, key_path_).fingerprint());
}

std::optional<std::chrono::milliseconds> CertificateReloader::check(bool forced) {
    Pair pair = read_pair(cert_path_, key_path_);
    std::string state = pair.fingerprint();
    if (forced) {
        content_.accept(std::move(state));
    } else {
        const auto now = SettledContent::Clock::now();
        const SettledContent::Verdict verdict = content_.observe(state, now);
        if (verdict == SettledContent::Verdict::Unchanged) return std::nullopt;
        if (verdict == SettledContent::Verdict::Settling) return content_.settle_time_left(now);
    }
    load(pair.cert, pair.key, std::move(pair.error));
    return std::nullopt;
}

void CertificateReloader::load(const std::string& cert, const std::string& key, std::string error) {
    if (error.empty() && !webhook_host_.empty() && !certificate_covers(cert, webhook_host_)) {
        error = "the certificate does not name " + webhook_host_ +
                ", the host the webhook kubeconfig uses: kube-apiserver's TLS check would fail every review";
    }
    std::shared_ptr<boost::asio::ssl::context> context;
    if (error.empty()) {
        auto made = net::make_server_tls_from_pem(cert, key);
        if (made)
            context = std::move(made).value();
        else
            error = made.error();
    }
    if (!context) {
        metrics_.certificate_reloaded(false);
        log_.error("new serving certificate not loaded; the one in use stays",
                   {{"cert", cert_path_}, {"key", key_path_}, {"reason", error}});
        return;
    }
    const auto not_after = net::certificate_not_after(*context);
    install_(context, cert);
    metrics_.certificate_reloaded(true);
    if (not_after) metrics_.certificate_expires_at(static_cast<double>(*not_after));
    log_.info(
        "serving certificate reloaded",
        {{"cert", cert_path_}, {"key", key_path_}, {"notAfter", not_after ? std::to_string(*not_after) : "unknown"}});
}

}  // namespace aia::app
