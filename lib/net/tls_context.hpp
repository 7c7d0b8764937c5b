#pragma once
// TLS settings in one place: the server side (what kube-apiserver connects
// to) and the client side (our connections to STS).

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "core/util/result.hpp"

namespace aia::net {

// TLS 1.2 and 1.3 only, ECDHE with AES-GCM or ChaCha20 for 1.2, no
// compression, no renegotiation, no session tickets across restarts.
Result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_server_tls(const std::string& cert_file,
                                                                                const std::string& key_file);

// The same from PEM text in memory (a rotated pair read once, so the
// certificate and key checked are the ones loaded). Refuses a certificate
// that is expired or not yet valid, and a key that does not match it.
Result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_server_tls_from_pem(const std::string& cert_pem,
                                                                                         const std::string& key_pem);

// When the context's certificate stops being valid (Unix seconds), if it has one.
std::optional<long long> certificate_not_after(boost::asio::ssl::context& context);

// Verifies the peer against `ca_file`, or the system trust store when empty.
// Host names are checked per connection (see StsClient).
Result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_client_tls(const std::string& ca_file);

// A client that may also present a certificate (the Kubernetes API's
// client-certificate authentication), with the CA and the pair as files or
// PEM text, as a kubeconfig gives them.
struct ClientTlsSettings {
    std::string ca_file;  // both CA fields empty: the system trust store
    std::string ca_pem;
    std::string cert_pem;  // both or neither
    std::string key_pem;
};
Result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_client_tls(const ClientTlsSettings& settings);

}  // namespace aia::net
