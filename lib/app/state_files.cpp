#include "app/state_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "app/atomic_file.hpp"
#include "app/file_reading.hpp"
#include "core/util/base64.hpp"

namespace aia::app {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kGeneratedLifetime{10L * 365 * 24 * 3600};
constexpr std::chrono::seconds kClockAllowance{3600};      // notBefore an hour back: clocks slightly behind
constexpr long long kRenewWithinSeconds = 24 * 3600;       // ours: renewed a day ahead
constexpr long long kWarnWithinSeconds = 30L * 24 * 3600;  // others: warned about a month ahead

struct StateFile {
    bool exists = false;
    std::string content;
    std::string error;  // set when it exists but cannot be read
};

StateFile read_state_file(const std::string& path) {
    StateFile file;
    struct stat info {};
    // lstat first: a symlink to a missing file (a Secret not mounted yet) is
    // there and broken, not absent -- a new pair must never replace the link.
    if (::lstat(path.c_str(), &info) != 0) {
        if (errno != ENOENT) {
            file.exists = true;
            file.error = "cannot read " + path + ": " + std::strerror(errno);
        }
        return file;
    }
    file.exists = true;
    if (::stat(path.c_str(), &info) != 0) {
        file.error = "cannot read " + path + ": " + std::strerror(errno) +
                     (errno == ENOENT ? " (a symbolic link to a missing file)" : "");
        return file;
    }
    auto content = read_file(path, kMaxSmallFileBytes);
    if (!content) {
        file.error = std::move(content).error().message;
        return file;
    }
    file.content = std::move(content).value();
    return file;
}

Result<CertificateFiles, std::string> generate_into(CertificateFiles files, const std::vector<std::string>& hosts) {
    auto generated = generate_certificate(hosts, -kClockAllowance, kGeneratedLifetime);
    if (!generated) return fail(std::move(generated).error());
    // The key first: a crash in between leaves a key without its
    // certificate, which the next start refuses by name (never a certificate
    // whose key is gone).
    if (auto written = write_atomically(files.key_path, generated->key_pem, 0600); !written)
        return fail(written.error());
    if (auto written = write_atomically(files.cert_path, generated->cert_pem, 0644); !written)
        return fail(written.error());
    files.cert_pem = std::move(generated->cert_pem);
    files.generated = true;
    return files;
}

}  // namespace

Result<CertificateFiles, std::string> ensure_certificate(const std::string& state_dir,
                                                         const CertificateRequirements& required) {
    CertificateFiles files;
    files.cert_path = (fs::path(state_dir) / "cert.pem").string();
    files.key_path = (fs::path(state_dir) / "key.pem").string();
    const std::string pregenerated_note =
        " (--kubeconfig-pregenerated: kube-apiserver trusts exactly this certificate; run `init` again to make a new "
        "pair and kubeconfig)";

    const StateFile cert = read_state_file(files.cert_path);
    const StateFile key = read_state_file(files.key_path);
    if (!cert.exists && !key.exists) {
        // kube-apiserver trusts the pair `init` wrote: a new one would fail
        // every review (a wrong state directory, a volume not mounted).
        if (required.pregenerated) {
            return fail("no cert.pem and key.pem in " + state_dir +
                        " (--kubeconfig-pregenerated: the webhook kubeconfig trusts the pair `init` wrote there; "
                        "check the state directory, or run `init` again)");
        }
        return generate_into(std::move(files), required.hosts);
    }
    if (cert.exists != key.exists) {
        const std::string& present = cert.exists ? files.cert_path : files.key_path;
        const std::string& missing = cert.exists ? files.key_path : files.cert_path;
        return fail(present + " exists but " + missing +
                    " does not: restore it, or remove both to have a new pair generated");
    }
    if (!cert.error.empty()) return fail(cert.error);
    if (!key.error.empty()) return fail(key.error);
    auto facts = inspect_pair(cert.content, key.content);
    if (!facts)
        return fail(state_dir + ": " + facts.error() +
                    "; fix or replace the pair, or remove both files to have a new one generated");

    const long long now = static_cast<long long>(std::time(nullptr));
    const long long left = facts->not_after - now;
    const std::string expiry = format_utc(facts->not_after);
    if (facts->not_before > now + kClockAllowance.count()) {
        return fail(files.cert_path + " is not valid until " + format_utc(facts->not_before));
    }
    if (left <= kRenewWithinSeconds) {
        if (facts->generated_by_us && !required.pregenerated) {
            auto renewed = generate_into(std::move(files), required.hosts);
            if (renewed) renewed->renewed = true;
            return renewed;
        }
        if (left <= 0) {
            return fail(files.cert_path + " expired on " + expiry +
                        (required.pregenerated ? pregenerated_note : "; replace cert.pem and key.pem"));
        }
    }
    if (!required.webhook_host.empty() && !certificate_covers(cert.content, required.webhook_host)) {
        return fail(files.cert_path + " does not name " + required.webhook_host +
                    ", the host the webhook kubeconfig uses (server.hostname, else the address): kube-apiserver's TLS "
                    "check would fail every review; use a certificate that names it, or remove both files to have a "
                    "new pair generated");
    }
    if (left <= kWarnWithinSeconds && (!facts->generated_by_us || required.pregenerated)) {
        files.warnings.push_back(files.cert_path + " expires on " + expiry + ", and the server will not replace it" +
                                 (required.pregenerated ? pregenerated_note : ": replace cert.pem and key.pem"));
    }
    files.cert_pem = cert.content;
    return files;
}

std::string webhook_url(const std::string& host, unsigned port) {
    const bool ipv6 = host.find(':') != std::string::npos;
    return "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/authenticate";
}

Result<bool, std::string> write_webhook_kubeconfig(const std::string& path, const std::string& server_url,
                                                   const std::string& cert_pem) {
    const std::string kubeconfig =
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        "- name: aws-iam-authenticator\n"
        "  cluster:\n"
        "    certificate-authority-data: " +
        base64::encode_standard(cert_pem) +
        "\n"
        "    server: " +
        server_url +
        "\n"
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
