#pragma once
// Follows the serving certificate and key files, so a rotation (cert-manager,
// a renewal script, an operator) needs no restart.
//
// The FileFollower calls check() when something changes next to the files,
// and every second. Once they have changed and then read the same for a
// second (a rotation writing the certificate and then the key is taken
// whole, not half-way), the pair is loaded into a new TLS context and
// handed to `install`: new connections use it, open ones keep theirs. A pair
// that does not load -- unreadable, not PEM, a key that does not match, an
// expired or not yet valid certificate, one that does not name the host the
// webhook kubeconfig uses -- changes nothing: the certificate in use stays,
// and the failure is logged and counted once per distinct content.
// A forced check (SIGHUP) loads the files at once, changed or not.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/logger.hpp"
#include "app/metrics.hpp"
#include "app/settled_content.hpp"

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
    CertificateReloader(const CertificateReloader&) = delete;
    CertificateReloader& operator=(const CertificateReloader&) = delete;

    // The files it follows: the certificate and the key.
    std::vector<std::string> paths() const { return {cert_path_, key_path_}; }
    // Reads the files and loads a settled change, or with `forced` what they
    // hold now. Returns how soon to check again (FileFollower::Check).
    std::optional<std::chrono::milliseconds> check(bool forced);

private:
    void load(const std::string& cert, const std::string& key, std::string error);

    std::string cert_path_;
    std::string key_path_;
    std::string webhook_host_;
    Install install_;
    Logger& log_;
    Metrics& metrics_;

    SettledContent content_;  // the pair's content last acted on (loaded or refused)
};

}  // namespace aia::app
