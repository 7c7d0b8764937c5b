#pragma once
// The serving certificate as PEM text: made, inspected, checked against a
// host. No files here (see state_files.hpp) and no TLS context (net).

#include <chrono>
#include <string>
#include <vector>

#include "core/util/result.hpp"

namespace aia::app {

// The subject name of the pairs we make; upstream's are named the same.
inline constexpr std::string_view kGeneratedCommonName = "aws-iam-authenticator";

struct PemPair {
    std::string cert_pem;
    std::string key_pem;
};

// A self-signed ECDSA P-256 certificate, its own CA (kube-apiserver trusts
// it through certificate-authority-data), valid from now + `valid_from` to
// now + `valid_until`. `hosts` become subject alternative names (IP
// literals as IP SANs). `common_name` other than ours: for tests of
// certificates an operator brings.
Result<PemPair, std::string> generate_certificate(const std::vector<std::string>& hosts,
                                                  std::chrono::seconds valid_from, std::chrono::seconds valid_until,
                                                  std::string_view common_name = kGeneratedCommonName);

struct CertificateFacts {
    long long not_before = 0;  // Unix seconds
    long long not_after = 0;
    // Self-signed and named as we (and upstream) name the pairs we make: a
    // pair the server may renew on its own. Anything else an operator brought.
    bool generated_by_us = false;
};

// Parses both texts and checks that the key belongs to the certificate.
// Errors name which file is wrong ("cert.pem is not a PEM certificate",
// "key.pem does not belong to cert.pem"); they never quote the key.
Result<CertificateFacts, std::string> inspect_pair(const std::string& cert_pem, const std::string& key_pem);

// Whether the certificate names `host` (a DNS name or an IP literal).
bool certificate_covers(const std::string& cert_pem, const std::string& host);

// "2026-12-04 05:21:38 UTC", for messages about validity.
std::string format_utc(long long unix_seconds);

}  // namespace aia::app
