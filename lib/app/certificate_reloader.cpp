#include "app/certificate_reloader.hpp"

#include <chrono>
#include <optional>

#include "app/file_reading.hpp"
#include "app/serving_certificate.hpp"
#include "net/tls_context.hpp"

namespace aia::app {
namespace {

constexpr std::chrono::seconds kCheckInterval{1};

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
      metrics_(metrics) {
    settled_ = read_pair(cert_path_, key_path_).fingerprint();
}

CertificateReloader::~CertificateReloader() { stop(); }

void CertificateReloader::start() {
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            wake_.wait_for(lock, kCheckInterval, [this] { return stopping_ || reload_now_; });
            if (stopping_) break;
            const bool forced = std::exchange(reload_now_, false);
            lock.unlock();
            check(forced);
            lock.lock();
        }
    });
}

void CertificateReloader::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void CertificateReloader::reload_now() {
    {
        std::lock_guard lock(mutex_);
        reload_now_ = true;
    }
    wake_.notify_all();
}

void CertificateReloader::check(bool forced) {
    const Pair pair = read_pair(cert_path_, key_path_);
    const std::string state = pair.fingerprint();
    if (!forced) {
        if (state == settled_) {
            pending_.clear();
            return;
        }
        if (state != pending_) {
            pending_ = state;  // act when it reads the same next time
            return;
        }
    }
    pending_.clear();
    settled_ = state;

    std::string error = pair.error;
    if (error.empty() && !webhook_host_.empty() && !certificate_covers(pair.cert, webhook_host_)) {
        error = "the certificate does not name " + webhook_host_ +
                ", the host the webhook kubeconfig uses: kube-apiserver's TLS check would fail every review";
    }
    std::shared_ptr<boost::asio::ssl::context> context;
    if (error.empty()) {
        auto made = net::make_server_tls_from_pem(pair.cert, pair.key);
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
    install_(context, pair.cert);
    metrics_.certificate_reloaded(true);
    if (not_after) metrics_.certificate_expires_at(static_cast<double>(*not_after));
    log_.info(
        "serving certificate reloaded",
        {{"cert", cert_path_}, {"key", key_path_}, {"notAfter", not_after ? std::to_string(*not_after) : "unknown"}});
}

}  // namespace aia::app
