// The serving certificate at start: generated only when both files are
// absent; anything unreadable, corrupt, mismatched, not valid yet or not
// naming the webhook host is an error; expiry handled by who made the pair.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/state_files.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using aia::app::CertificateRequirements;
using aia::app::ensure_certificate;
using aia::app::generate_certificate;

namespace {

constexpr std::chrono::seconds kDay{24 * 3600};

struct TempDir : aia::test::TempDir {
    TempDir() : aia::test::TempDir("aia-state") {}
    fs::path cert() const { return path / "cert.pem"; }
    fs::path key() const { return path / "key.pem"; }
};

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// A pair valid from now + `from` to now + `until`, ours unless `name` says otherwise.
void install(const TempDir& dir, std::chrono::seconds from, std::chrono::seconds until,
             std::string_view name = aia::app::kGeneratedCommonName, std::vector<std::string> hosts = {"127.0.0.1"}) {
    auto pair = generate_certificate(hosts, from, until, name);
    REQUIRE(pair.ok());
    write(dir.cert(), pair->cert_pem);
    write(dir.key(), pair->key_pem);
}

const CertificateRequirements kServer{.hosts = {"127.0.0.1", "localhost"}, .webhook_host = "127.0.0.1"};
const CertificateRequirements kPregenerated{
    .hosts = {"127.0.0.1", "localhost"}, .webhook_host = "127.0.0.1", .pregenerated = true};

}  // namespace

TEST_CASE("certificate: generated when both files are absent, then reused", "[certificate]") {
    TempDir dir;
    auto first = ensure_certificate(dir.str(), kServer);
    REQUIRE(first.ok());
    CHECK(first->generated);
    CHECK(first->warnings.empty());
    struct stat info {};
    REQUIRE(::stat(dir.key().c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK(aia::app::certificate_covers(first->cert_pem, "127.0.0.1"));
    CHECK(aia::app::certificate_covers(first->cert_pem, "localhost"));
    CHECK_FALSE(aia::app::certificate_covers(first->cert_pem, "example.com"));
    const auto facts = aia::app::inspect_pair(read(dir.cert()), read(dir.key()));
    REQUIRE(facts.ok());
    CHECK(facts->generated_by_us);
    CHECK(facts->not_after - facts->not_before > 9L * 365 * 24 * 3600);

    auto second = ensure_certificate(dir.str(), kServer);
    REQUIRE(second.ok());
    CHECK_FALSE(second->generated);
    CHECK(second->cert_pem == first->cert_pem);
}

TEST_CASE("certificate: one file without the other is an error, never a new pair", "[certificate]") {
    for (const char* present : {"cert.pem", "key.pem"}) {
        INFO(present);
        TempDir dir;
        install(dir, -1h, 365 * kDay);
        fs::remove(dir.path / (std::string(present) == "cert.pem" ? "key.pem" : "cert.pem"));
        const std::string kept = read(dir.path / present);
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE_FALSE(result.ok());
        CHECK_THAT(result.error(), Catch::Contains((dir.path / present).string() + " exists but"));
        CHECK_THAT(result.error(),
                   Catch::EndsWith("does not: restore it, or remove both to have a new pair generated"));
        CHECK(read(dir.path / present) == kept);
        CHECK(fs::directory_iterator(dir.path) != fs::directory_iterator());
        CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
    }
}

TEST_CASE("certificate: corrupt, mismatched or unreadable files are errors and stay as they are", "[certificate]") {
    SECTION("corrupt certificate") {
        TempDir dir;
        install(dir, -1h, 365 * kDay);
        write(dir.cert(), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE_FALSE(result.ok());
        CHECK_THAT(result.error(), Catch::Contains("cert.pem is not a PEM certificate"));
        CHECK(read(dir.cert()).find("not base64") != std::string::npos);
    }
    SECTION("corrupt key") {
        TempDir dir;
        install(dir, -1h, 365 * kDay);
        write(dir.key(), "garbage");
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE_FALSE(result.ok());
        CHECK_THAT(result.error(), Catch::Contains("key.pem is not an unencrypted PEM private key"));
        CHECK(read(dir.key()) == "garbage");
    }
    SECTION("a key of another certificate") {
        TempDir dir;
        install(dir, -1h, 365 * kDay);
        const std::string cert = read(dir.cert());
        install(dir, -1h, 365 * kDay);
        write(dir.cert(), cert);
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE_FALSE(result.ok());
        CHECK_THAT(result.error(), Catch::Contains("key.pem does not belong to cert.pem"));
        CHECK(read(dir.cert()) == cert);
    }
    SECTION("unreadable") {
        TempDir dir;
        install(dir, -1h, 365 * kDay);
        fs::remove(dir.cert());
        fs::create_directory(dir.cert());
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE_FALSE(result.ok());
        CHECK(result.error() == "cannot read " + dir.cert().string() + ": not a regular file");
    }
    SECTION("a symbolic link to a missing file (a Secret not mounted yet)") {
        TempDir dir;
        fs::create_symlink(dir.path / "secret" / "tls.crt", dir.cert());
        fs::create_symlink(dir.path / "secret" / "tls.key", dir.key());
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE_FALSE(result.ok());
        CHECK_THAT(result.error(), Catch::Contains("a symbolic link to a missing file"));
        CHECK(fs::is_symlink(dir.cert()));  // never replaced by a new pair
        CHECK(fs::is_symlink(dir.key()));
    }
    SECTION("not valid yet") {
        TempDir dir;
        install(dir, 2 * kDay, 365 * kDay);
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE_FALSE(result.ok());
        CHECK_THAT(result.error(), Catch::Contains("is not valid until"));
    }
}

TEST_CASE("certificate: it must name the host the webhook kubeconfig uses", "[certificate]") {
    TempDir dir;
    install(dir, -1h, 365 * kDay, aia::app::kGeneratedCommonName, {"10.9.9.9", "auth.example"});
    const std::string cert = read(dir.cert());
    auto refused = ensure_certificate(dir.str(), kServer);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error(), Catch::Contains("does not name 127.0.0.1, the host the webhook kubeconfig uses"));
    CHECK(read(dir.cert()) == cert);  // not replaced
    auto by_name = ensure_certificate(dir.str(), {.hosts = {"auth.example"}, .webhook_host = "auth.example"});
    REQUIRE(by_name.ok());
    CHECK_FALSE(by_name->generated);
}

TEST_CASE("certificate: a pair of ours about to expire is renewed, unless pregenerated", "[certificate]") {
    SECTION("renewed") {
        TempDir dir;
        install(dir, -365 * kDay, 12h);
        const std::string old = read(dir.cert());
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE(result.ok());
        CHECK(result->generated);
        CHECK(result->renewed);
        CHECK(read(dir.cert()) != old);
        CHECK(read(dir.cert()) == result->cert_pem);
    }
    SECTION("expired and renewed") {
        TempDir dir;
        install(dir, -365 * kDay, -1h);
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE(result.ok());
        CHECK(result->renewed);
    }
    SECTION("pregenerated and expiring: kept, with a warning") {
        TempDir dir;
        install(dir, -365 * kDay, 12h);
        const std::string old = read(dir.cert());
        auto result = ensure_certificate(dir.str(), kPregenerated);
        REQUIRE(result.ok());
        CHECK_FALSE(result->generated);
        CHECK(read(dir.cert()) == old);
        REQUIRE(result->warnings.size() == 1);
        CHECK_THAT(result->warnings[0], Catch::Contains("expires on") && Catch::Contains("run `init` again"));
    }
    SECTION("pregenerated and expired: an error") {
        TempDir dir;
        install(dir, -365 * kDay, -1h);
        const std::string old = read(dir.cert());
        auto result = ensure_certificate(dir.str(), kPregenerated);
        REQUIRE_FALSE(result.ok());
        CHECK_THAT(result.error(), Catch::Contains("expired on") && Catch::Contains("--kubeconfig-pregenerated"));
        CHECK(read(dir.cert()) == old);
    }
    SECTION("pregenerated and absent: an error (the kubeconfig trusts the pair init wrote)") {
        TempDir dir;
        auto result = ensure_certificate(dir.str(), kPregenerated);
        REQUIRE_FALSE(result.ok());
        CHECK_THAT(result.error(), Catch::StartsWith("no cert.pem and key.pem in " + dir.str()) &&
                                       Catch::Contains("--kubeconfig-pregenerated"));
        CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 0);
    }
}

TEST_CASE("certificate: a pair an operator brought is never replaced", "[certificate]") {
    SECTION("expiring within 30 days: kept, with a warning") {
        TempDir dir;
        install(dir, -60 * kDay, 10 * kDay, "auth.example.com");
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE(result.ok());
        CHECK_FALSE(result->generated);
        REQUIRE(result->warnings.size() == 1);
        CHECK_THAT(result->warnings[0], Catch::Contains("the server will not replace it"));
    }
    SECTION("expired: an error") {
        TempDir dir;
        install(dir, -60 * kDay, -1h, "auth.example.com");
        const std::string old = read(dir.cert());
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE_FALSE(result.ok());
        CHECK_THAT(result.error(), Catch::Contains("expired on") && Catch::EndsWith("replace cert.pem and key.pem"));
        CHECK(read(dir.cert()) == old);
    }
    SECTION("valid for long: no warning") {
        TempDir dir;
        install(dir, -1h, 365 * kDay, "auth.example.com");
        auto result = ensure_certificate(dir.str(), kServer);
        REQUIRE(result.ok());
        CHECK(result->warnings.empty());
        const auto facts = aia::app::inspect_pair(read(dir.cert()), read(dir.key()));
        REQUIRE(facts.ok());
        CHECK_FALSE(facts->generated_by_us);
    }
}

TEST_CASE("certificate: names are checked as kube-apiserver checks them", "[certificate]") {
    const auto covers = [](std::vector<std::string> hosts, std::string_view common_name, const std::string& host) {
        auto pair = generate_certificate(hosts, -1h, kDay, common_name);
        REQUIRE(pair.ok());
        return aia::app::certificate_covers(pair->cert_pem, host);
    };
    CHECK(covers({"auth.example.com"}, "x", "auth.example.com"));
    CHECK(covers({"127.0.0.1"}, "x", "127.0.0.1"));
    CHECK(covers({"::1"}, "x", "::1"));
    CHECK(covers({"*.example.com"}, "x", "auth.example.com"));
    // Never the subject's common name (Go ignores it), never a partial wildcard.
    CHECK_FALSE(covers({}, "auth.example.com", "auth.example.com"));
    CHECK_FALSE(covers({"10.0.0.9"}, "127.0.0.1", "127.0.0.1"));
    CHECK_FALSE(covers({"a*.example.com"}, "x", "auth.example.com"));
    CHECK_FALSE(covers({"*.example.com"}, "x", "a.b.example.com"));
    // A host that would add SANs of its own is refused.
    CHECK_FALSE(generate_certificate({"a.example,DNS:evil.example"}, -1h, kDay).ok());
}
