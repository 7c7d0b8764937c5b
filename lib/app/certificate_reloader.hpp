#pragma once
// Follows the serving certificate and key files, so a rotation (cert-manager,
// a renewal script, an operator) needs no restart.
//
// Both files are read every second. Once they have changed and then read the
// same twice in a row (a rotation writing the certificate and then the key is
// taken whole, not half-way), the pair is loaded into a new TLS context and
// handed to `install`: new connections use it, open ones keep theirs. A pair
// that does not load -- unreadable, not PEM, a key that does not match, an
// expired or not yet valid certificate, one that does not name the host the
// webhook kubeconfig uses -- changes nothing: the certificate in use stays,
// and the failure is logged and counted once per distinct content.
// reload_now() (SIGHUP) loads the files at once, changed or not.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/logger.hpp"
#include "app/metrics.hpp"

namespace boost::asio::ssl {
class context;
}

namespace aia::app {

class CertificateReloader {
public:
    // Gets the new context and the certificate's PEM text (for the webhook kubeconfig).
    using Install = std::function<void(std::shared_ptr<boost::asio::ssl::context>, const std::string& cert_pem)>;

    // The files' content now is taken as the pair in use (loaded at start).
    // `webhook_host`: the host kube-apiserver connects to; a new certificate
    // must name it (empty: unchecked).
    CertificateReloader(std::string cert_path, std::string key_path, std::string webhook_host, Install install,
                        Logger& log, Metrics& metrics);
    ~CertificateReloader();
    CertificateReloader(const CertificateReloader&) = delete;
    CertificateReloader& operator=(const CertificateReloader&) = delete;

    void start();
    void stop();
    // Load the files on the reloader's thread now, even if they look unchanged (thread-safe).
    void reload_now();

private:
    void check(bool forced);

    std::string cert_path_;
    std::string key_path_;
    std::string webhook_host_;
    Install install_;
    Logger& log_;
    Metrics& metrics_;

    // Reloader thread only.
    std::string settled_;  // the files' content last acted on (loaded or refused)
    std::string pending_;  // new content seen once, to be seen again unchanged

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;    // under mutex_
    bool reload_now_ = false;  // under mutex_
    std::thread thread_;
};

}  // namespace aia::app
