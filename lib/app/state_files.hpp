#pragma once
// The files the server keeps between starts and hands to kube-apiserver:
//   <stateDir>/cert.pem, <stateDir>/key.pem   its self-signed TLS identity
//   <generateKubeconfig>                      the webhook kubeconfig
// Names and layout are upstream's, so an existing state dir is reused.

#include <chrono>
#include <string>
#include <vector>

#include "core/util/result.hpp"

namespace aia::app {

struct CertificateFiles {
    std::string cert_path;
    std::string key_path;
    std::string cert_pem;  // for certificate-authority-data
    bool generated = false;
};

// Reuses cert.pem and key.pem when both load, match each other and the
// certificate is valid for at least another day; otherwise generates a new
// ECDSA P-256 pair valid for 10 years (key file 0600, written atomically).
// `hosts` become the subject alternative names (IP literals as IP SANs).
Result<CertificateFiles, std::string> ensure_certificate(const std::string& state_dir, const std::vector<std::string>& hosts);

// Whether the certificate names `host` (a DNS name or an IP literal).
bool certificate_covers(const std::string& cert_pem, const std::string& host);

// Writes the kubeconfig kube-apiserver's --authentication-token-webhook-config-file reads.
Result<bool, std::string> write_webhook_kubeconfig(const std::string& path, const std::string& server_url,
                                                   const std::string& cert_pem);

// "https://<host>:<port>/authenticate", with IPv6 literals bracketed.
std::string webhook_url(const std::string& host, unsigned port);

}  // namespace aia::app
