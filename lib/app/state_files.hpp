#pragma once
// The files the server keeps between starts and hands to kube-apiserver:
//   <stateDir>/cert.pem, <stateDir>/key.pem   its self-signed TLS identity
//   <generateKubeconfig>                      the webhook kubeconfig
// Names and layout are upstream's, so an existing state dir is reused.

#include <chrono>
#include <string>
#include <vector>

#include "app/serving_certificate.hpp"
#include "core/util/result.hpp"

namespace aia::app {

struct CertificateFiles {
    std::string cert_path;
    std::string key_path;
    std::string cert_pem;  // for certificate-authority-data
    bool generated = false;
    bool renewed = false;               // generated to replace an expiring pair of ours
    std::vector<std::string> warnings;  // for the log: a certificate kept although it expires soon, ...
};

struct CertificateRequirements {
    std::vector<std::string> hosts;  // subject alternative names of a pair we make
    // The host the webhook kubeconfig names: the certificate in use must name
    // it, or kube-apiserver's TLS check fails every review. Empty: unchecked.
    std::string webhook_host;
    // --kubeconfig-pregenerated: kube-apiserver trusts exactly these files
    // (`init` wrote them), so they are never replaced behind its back.
    bool pregenerated = false;
};

// The serving certificate at start:
//   - neither cert.pem nor key.pem exists: a new pair is generated (ECDSA
//     P-256, 10 years, key file 0600, each written atomically, the key
//     first) -- except with `pregenerated`, where that is an error;
//   - one without the other, an unreadable or corrupt file, a key that does
//     not belong to the certificate, a certificate not valid yet or not
//     naming the webhook host: an error, never a silent new pair;
//   - a pair we generated that expires within a day is renewed -- except
//     with `pregenerated`, where an expired pair is an error and one close
//     to expiry a warning; a pair an operator brought is never replaced
//     (expired: an error; expiring within 30 days: a warning).
Result<CertificateFiles, std::string> ensure_certificate(const std::string& state_dir,
                                                         const CertificateRequirements& required);

// Writes the kubeconfig kube-apiserver's --authentication-token-webhook-config-file reads.
Result<bool, std::string> write_webhook_kubeconfig(const std::string& path, const std::string& server_url,
                                                   const std::string& cert_pem);

// "https://<host>:<port>/authenticate", with IPv6 literals bracketed.
std::string webhook_url(const std::string& host, unsigned port);

}  // namespace aia::app
