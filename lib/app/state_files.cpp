#include "app/state_files.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "app/atomic_file.hpp"
#include "core/util/base64.hpp"

namespace aia::app {
namespace {

namespace fs = std::filesystem;

constexpr long kCertificateLifetimeSeconds = 10L * 365 * 24 * 3600;
constexpr long kMinimumRemainingSeconds = 24 * 3600;  // renew a day ahead

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string to_pem(int (*write)(BIO*, const void*), const void* object) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get(), object) != 1) return {};
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

bool usable(const std::string& cert_pem, const std::string& key_pem) {
    BioPtr cert_bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
    BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    PKey key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    if (!cert || !key || X509_check_private_key(cert.get(), key.get()) != 1) return false;
    time_t soon = time(nullptr) + kMinimumRemainingSeconds;
    return X509_cmp_time(X509_get0_notAfter(cert.get()), &soon) > 0;
}

Result<std::pair<std::string, std::string>, std::string> generate(const std::vector<std::string>& hosts) {
    PKey key(EVP_EC_gen("P-256"));
    if (!key) return fail("cannot generate an ECDSA key");

    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial_bytes[16];
    RAND_bytes(serial_bytes, sizeof serial_bytes);
    serial_bytes[0] &= 0x7f;  // positive
    std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> serial(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
    BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // tolerate clocks slightly behind
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), kCertificateLifetimeSeconds);
    X509_set_pubkey(cert.get(), key.get());

    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("aws-iam-authenticator"),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);

    std::string san;
    for (const std::string& host : hosts) {
        if (host.empty()) continue;
        const bool ip = host.find_first_not_of("0123456789.") == std::string::npos || host.find(':') != std::string::npos;
        if (!san.empty()) san += ',';
        san += (ip ? "IP:" : "DNS:") + host;
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

    std::string cert_pem = to_pem([](BIO* b, const void* c) { return PEM_write_bio_X509(b, static_cast<X509*>(const_cast<void*>(c))); },
                                  cert.get());
    std::string key_pem = to_pem(
        [](BIO* b, const void* k) {
            return PEM_write_bio_PrivateKey(b, static_cast<EVP_PKEY*>(const_cast<void*>(k)), nullptr, nullptr, 0,
                                            nullptr, nullptr);
        },
        key.get());
    if (cert_pem.empty() || key_pem.empty()) return fail("cannot encode the certificate or key");
    return std::pair{std::move(cert_pem), std::move(key_pem)};
}

}  // namespace

Result<CertificateFiles, std::string> ensure_certificate(const std::string& state_dir, const std::vector<std::string>& hosts) {
    CertificateFiles files;
    files.cert_path = (fs::path(state_dir) / "cert.pem").string();
    files.key_path = (fs::path(state_dir) / "key.pem").string();

    const std::string existing_cert = read_file(files.cert_path);
    const std::string existing_key = read_file(files.key_path);
    if (!existing_cert.empty() && usable(existing_cert, existing_key)) {
        files.cert_pem = existing_cert;
        return files;
    }

    auto generated = generate(hosts);
    if (!generated) return fail(std::move(generated).error());
    // The key first: a crash in between leaves a key without its certificate,
    // which the next start replaces, never a certificate without its key.
    if (auto written = write_atomically(files.key_path, generated->second, 0600); !written) return fail(written.error());
    if (auto written = write_atomically(files.cert_path, generated->first, 0644); !written) return fail(written.error());
    files.cert_pem = std::move(generated->first);
    files.generated = true;
    return files;
}

bool certificate_covers(const std::string& cert_pem, const std::string& host) {
    BioPtr bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
    X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!cert) return false;
    if (X509_check_ip_asc(cert.get(), host.c_str(), 0) == 1) return true;
    return X509_check_host(cert.get(), host.data(), host.size(), 0, nullptr) == 1;
}

std::string webhook_url(const std::string& host, unsigned port) {
    const bool ipv6 = host.find(':') != std::string::npos;
    return "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/authenticate";
}

Result<bool, std::string> write_webhook_kubeconfig(const std::string& path, const std::string& server_url,
                                                   const std::string& cert_pem) {
    const std::string kubeconfig = "apiVersion: v1\n"
                                   "kind: Config\n"
                                   "clusters:\n"
                                   "- name: aws-iam-authenticator\n"
                                   "  cluster:\n"
                                   "    certificate-authority-data: " + base64::encode_standard(cert_pem) + "\n"
                                   "    server: " + server_url + "\n"
                                   "# user refers to the API server client\n"
                                   "users:\n"
                                   "- name: apiserver\n"
                                   "current-context: webhook\n"
                                   "contexts:\n"
                                   "- name: webhook\n"
                                   "  context:\n"
                                   "    cluster: aws-iam-authenticator\n"
                                   "    user: apiserver\n";
    return write_atomically(path, kubeconfig, 0644);
}

}  // namespace aia::app
