#include "net/tls_context.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>

namespace aia::net {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites: forward secrecy and AEAD only. TLS 1.3 suites are all fine.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

void harden(ssl::context& context) {
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression);
    SSL_CTX* native = context.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_cipher_list(native, kTls12Ciphers);
}

// Offer only HTTP/1.1 to ALPN clients: we do not speak HTTP/2.
void offer_http11_only(ssl::context& context) {
    SSL_CTX_set_alpn_select_cb(
        context.native_handle(),
        [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
           void*) -> int {
            static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
            unsigned char* selected = nullptr;
            if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof kHttp11, in, inlen) !=
                OPENSSL_NPN_NEGOTIATED) {
                return SSL_TLSEXT_ERR_NOACK;
            }
            *out = selected;
            return SSL_TLSEXT_ERR_OK;
        },
        nullptr);
}

}  // namespace

Result<std::shared_ptr<ssl::context>, std::string> make_server_tls_from_pem(const std::string& cert_pem,
                                                                            const std::string& key_pem) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    harden(*context);
    boost::system::error_code ec;
    context->use_certificate_chain(boost::asio::buffer(cert_pem), ec);
    if (ec) return fail("cannot load the certificate: " + ec.message());
    context->use_private_key(boost::asio::buffer(key_pem), ssl::context::pem, ec);
    if (ec) return fail("cannot load the private key: " + ec.message());
    if (SSL_CTX_check_private_key(context->native_handle()) != 1)
        return fail("the private key does not match the certificate");
    X509* certificate = SSL_CTX_get0_certificate(context->native_handle());
    if (certificate == nullptr) return fail("no certificate");
    if (X509_cmp_current_time(X509_get0_notAfter(certificate)) <= 0) return fail("the certificate has expired");
    if (X509_cmp_current_time(X509_get0_notBefore(certificate)) >= 0) return fail("the certificate is not valid yet");
    offer_http11_only(*context);
    return context;
}

std::optional<long long> certificate_not_after(ssl::context& context) {
    X509* certificate = SSL_CTX_get0_certificate(context.native_handle());
    if (certificate == nullptr) return std::nullopt;
    std::tm expiry{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &expiry) != 1) return std::nullopt;
    return static_cast<long long>(timegm(&expiry));
}

Result<std::shared_ptr<ssl::context>, std::string> make_server_tls(const std::string& cert_file,
                                                                   const std::string& key_file) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    harden(*context);
    boost::system::error_code ec;
    context->use_certificate_chain_file(cert_file, ec);
    if (ec) return fail("cannot load certificate " + cert_file + ": " + ec.message());
    context->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) return fail("cannot load private key " + key_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
        return fail("private key " + key_file + " does not match certificate " + cert_file);
    }
    offer_http11_only(*context);
    return context;
}

Result<std::shared_ptr<ssl::context>, std::string> make_client_tls(const std::string& ca_file) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    harden(*context);
    boost::system::error_code ec;
    if (ca_file.empty()) {
        context->set_default_verify_paths(ec);
        if (ec) return fail("cannot load the system trust store: " + ec.message());
    } else {
        context->load_verify_file(ca_file, ec);
        if (ec) return fail("cannot load CA bundle " + ca_file + ": " + ec.message());
    }
    context->set_verify_mode(ssl::verify_peer);
    return context;
}

Result<std::shared_ptr<ssl::context>, std::string> make_client_tls(const ClientTlsSettings& settings) {
    if (!settings.ca_file.empty() && !settings.ca_pem.empty()) return fail("both a CA file and CA data are given");
    auto made = make_client_tls(settings.ca_file);
    if (!made) return made;
    std::shared_ptr<ssl::context> context = std::move(made).value();
    boost::system::error_code ec;
    if (!settings.ca_pem.empty()) {
        // Only the given CA: a context with no file loads none by itself.
        auto only = std::make_shared<ssl::context>(ssl::context::tls_client);
        harden(*only);
        only->add_certificate_authority(boost::asio::buffer(settings.ca_pem), ec);
        if (ec) return fail("cannot load the CA certificate data: " + ec.message());
        only->set_verify_mode(ssl::verify_peer);
        context = std::move(only);
    }
    if (settings.cert_pem.empty() != settings.key_pem.empty())
        return fail("a client certificate needs its key, and a key its certificate");
    if (!settings.cert_pem.empty()) {
        context->use_certificate_chain(boost::asio::buffer(settings.cert_pem), ec);
        if (ec) return fail("cannot load the client certificate: " + ec.message());
        context->use_private_key(boost::asio::buffer(settings.key_pem), ssl::context::pem, ec);
        if (ec) return fail("cannot load the client key: " + ec.message());
        if (SSL_CTX_check_private_key(context->native_handle()) != 1)
            return fail("the client key does not match the client certificate");
    }
    return context;
}

}  // namespace aia::net
