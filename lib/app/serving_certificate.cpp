#include "app/serving_certificate.hpp"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <optional>

namespace aia::app {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string to_pem(int (*write)(BIO*, const void*), const void* object) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get(), object) != 1) return {};
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

X509Ptr read_certificate(const std::string& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

std::optional<long long> unix_seconds(const ASN1_TIME* time) {
    std::tm parts{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return std::nullopt;
    const std::time_t seconds = timegm(&parts);
    if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
    return static_cast<long long>(seconds);
}

bool is_ip_literal(const std::string& host) {
    unsigned char address[16];
    return inet_pton(AF_INET, host.c_str(), address) == 1 || inet_pton(AF_INET6, host.c_str(), address) == 1;
}

std::string common_name(X509_NAME* name) {
    char buffer[256] = {};
    const int length = X509_NAME_get_text_by_NID(name, NID_commonName, buffer, sizeof buffer);
    return length > 0 ? std::string(buffer, static_cast<std::size_t>(length)) : std::string{};
}

}  // namespace

Result<PemPair, std::string> generate_certificate(const std::vector<std::string>& hosts,
                                                  std::chrono::seconds valid_from, std::chrono::seconds valid_until,
                                                  std::string_view name_text) {
    PKey key(EVP_EC_gen("P-256"));
    if (!key) return fail("cannot generate an ECDSA key");

    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial_bytes[16];
    if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) return fail("cannot draw a serial number");
    serial_bytes[0] &= 0x7f;  // positive
    std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> serial(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
    BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(valid_from.count()));
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(valid_until.count()));
    X509_set_pubkey(cert.get(), key.get());

    X509_NAME* name = X509_get_subject_name(cert.get());
    const std::string cn(name_text);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);

    std::string san;
    for (const std::string& host : hosts) {
        if (host.empty()) continue;
        // The list is OpenSSL's comma-separated text: a name must not add entries of its own.
        if (host.find_first_of(", \t\r\n") != std::string::npos)
            return fail("cannot name host " + host + " in a certificate");
        if (!san.empty()) san += ',';
        san += (is_ip_literal(host) ? "IP:" : "DNS:") + host;
    }
    // Self-signed and also its own CA, as upstream's: kube-apiserver trusts it
    // through certificate-authority-data.
    const std::pair<int, std::string> extensions[] = {
        {NID_basic_constraints, "critical,CA:TRUE"},
        {NID_key_usage, "critical,digitalSignature,keyCertSign"},
        {NID_ext_key_usage, "serverAuth"},
        {NID_subject_alt_name, san},
    };
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : extensions) {
        if (value.empty()) continue;
        X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
        if (extension == nullptr) return fail("cannot build certificate extension " + value);
        X509_add_ext(cert.get(), extension, -1);
        X509_EXTENSION_free(extension);
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return fail("cannot sign the certificate");

    PemPair pair;
    pair.cert_pem =
        to_pem([](BIO* b, const void* c) { return PEM_write_bio_X509(b, static_cast<X509*>(const_cast<void*>(c))); },
               cert.get());
    pair.key_pem = to_pem(
        [](BIO* b, const void* k) {
            return PEM_write_bio_PrivateKey(b, static_cast<EVP_PKEY*>(const_cast<void*>(k)), nullptr, nullptr, 0,
                                            nullptr, nullptr);
        },
        key.get());
    if (pair.cert_pem.empty() || pair.key_pem.empty()) return fail("cannot encode the certificate or key");
    return pair;
}

Result<CertificateFacts, std::string> inspect_pair(const std::string& cert_pem, const std::string& key_pem) {
    X509Ptr cert = read_certificate(cert_pem);
    ERR_clear_error();  // a failed read leaves its reasons queued; ours says it
    if (!cert) return fail(std::string("cert.pem is not a PEM certificate"));
    BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    // No passphrase callback: an encrypted key fails here instead of prompting.
    PKey key(key_bio ? PEM_read_bio_PrivateKey(
                           key_bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr)
                     : nullptr);
    ERR_clear_error();
    if (!key) return fail(std::string("key.pem is not an unencrypted PEM private key"));
    if (X509_check_private_key(cert.get(), key.get()) != 1)
        return fail(std::string("key.pem does not belong to cert.pem"));

    CertificateFacts facts;
    const auto not_before = unix_seconds(X509_get0_notBefore(cert.get()));
    const auto not_after = unix_seconds(X509_get0_notAfter(cert.get()));
    if (!not_before || !not_after) return fail(std::string("cert.pem has an unreadable validity period"));
    facts.not_before = *not_before;
    facts.not_after = *not_after;
    X509_NAME* subject = X509_get_subject_name(cert.get());
    facts.generated_by_us =
        X509_NAME_cmp(subject, X509_get_issuer_name(cert.get())) == 0 && common_name(subject) == kGeneratedCommonName;
    return facts;
}

bool certificate_covers(const std::string& cert_pem, const std::string& host) {
    X509Ptr cert = read_certificate(cert_pem);
    ERR_clear_error();
    if (!cert) return false;
    // As kube-apiserver (Go) checks it: an IP only against IP addresses, a
    // name only against DNS names -- never the subject's common name -- and
    // wildcards only as a whole left-most label.
    if (is_ip_literal(host)) return X509_check_ip_asc(cert.get(), host.c_str(), 0) == 1;
    return X509_check_host(cert.get(), host.data(), host.size(),
                           X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
}

std::string format_utc(long long unix_seconds) {
    const std::time_t time = static_cast<std::time_t>(unix_seconds);
    std::tm parts{};
    gmtime_r(&time, &parts);
    char buffer[32] = {};
    if (std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &parts) == 0) return std::to_string(unix_seconds);
    return buffer;
}

}  // namespace aia::app
