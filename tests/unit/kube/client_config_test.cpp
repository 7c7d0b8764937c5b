// Kubernetes client configuration: kubeconfig, --master and in-cluster, as
// client-go's BuildConfigFromFlags resolves them, with our refusals.

#include <catch2/catch.hpp>

#include <map>

#include "core/kube/client_config.hpp"
#include "core/util/base64.hpp"

using namespace aia::kube;

namespace {

std::string kubeconfig(std::string_view cluster_body, std::string_view user_body) {
    return "apiVersion: v1\nkind: Config\ncurrent-context: main\n"
           "contexts:\n- name: main\n  context: {cluster: c1, user: u1}\n"
           "- name: other\n  context: {cluster: c2, user: ''}\n"
           "clusters:\n- name: c1\n  cluster:\n" +
           std::string(cluster_body) +
           "- name: c2\n  cluster:\n    server: https://other.example:8443\n"
           "users:\n- name: u1\n  user:\n" +
           std::string(user_body);
}

const std::string kServer = "    server: https://api.example.com:6443\n";
const std::string kToken = "    token: abc123\n";

EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](std::string_view name) {
        const auto found = vars.find(std::string(name));
        return found == vars.end() ? std::string{} : found->second;
    };
}

bool mentions(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("server URLs: host, port, path, IPv6", "[kube]") {
    auto plain = parse_server_url("https://api.example.com");
    REQUIRE(plain.ok());
    CHECK(plain->host == "api.example.com");
    CHECK(plain->port == 443);
    CHECK(plain->base_path.empty());

    auto full = parse_server_url("https://10.0.0.1:6443/k8s/clusters/x/");
    REQUIRE(full.ok());
    CHECK(full->host == "10.0.0.1");
    CHECK(full->port == 6443);
    CHECK(full->base_path == "/k8s/clusters/x");

    auto v6 = parse_server_url("https://[fd00::1]:443");
    REQUIRE(v6.ok());
    CHECK(v6->host == "fd00::1");
    CHECK(parse_server_url("HTTPS://Host")->host == "Host");
}

TEST_CASE("server URLs we refuse", "[kube]") {
    auto http = parse_server_url("http://api.example.com");
    REQUIRE_FALSE(http.ok());
    CHECK(mentions(http.error(), "plain http:// is refused"));
    for (const char* bad :
         {"api.example.com:6443", "ftp://host", "https://", "https://host:0", "https://host:65536", "https://host:x",
          "https://host:", "https://fd00::1", "https://[fd00::1", "https://[nothex]", "https://[::1]x",
          "https://user@host", "https://host/?a=b", "https://host/#f", "https://ho st"}) {
        INFO(bad);
        CHECK_FALSE(parse_server_url(bad).ok());
    }
}

TEST_CASE("authority brackets IPv6 hosts", "[kube]") {
    ClientConfig config;
    config.server_host = "fd00::1";
    config.port = 6443;
    CHECK(authority(config) == "[fd00::1]:6443");
    config.server_host = "api";
    CHECK(authority(config) == "api:6443");
}

TEST_CASE("a kubeconfig with a token and inline CA", "[kube]") {
    const std::string ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const std::string text =
        kubeconfig(kServer + "    certificate-authority-data: " + aia::base64::encode_standard(ca) +
                       "\n    tls-server-name: kubernetes\n",
                   kToken);
    auto config = parse_kubeconfig(text, "/etc/kube");
    REQUIRE(config.ok());
    CHECK(config->server_host == "api.example.com");
    CHECK(config->port == 6443);
    CHECK(config->ca.data == ca);
    CHECK(config->ca.file.empty());
    CHECK(config->tls_server_name == "kubernetes");
    CHECK(config->bearer_token == "abc123");
    CHECK_FALSE(config->insecure_skip_tls_verify);
    CHECK(config->source == "kubeconfig context main");
}

TEST_CASE("kubeconfig file paths are relative to its directory", "[kube]") {
    const std::string text = kubeconfig(kServer + "    certificate-authority: pki/ca.crt\n",
                                        "    client-certificate: pki/me.crt\n    client-key: /abs/me.key\n");
    auto config = parse_kubeconfig(text, "/etc/kube/");
    REQUIRE(config.ok());
    CHECK(config->ca.file == "/etc/kube/pki/ca.crt");
    CHECK(config->client_cert.file == "/etc/kube/pki/me.crt");
    CHECK(config->client_key.file == "/abs/me.key");
    CHECK(config->bearer_token.empty());

    auto token_file = parse_kubeconfig(kubeconfig(kServer, "    tokenFile: token\n"), "/var/run");
    REQUIRE(token_file.ok());
    CHECK(token_file->token_file == "/var/run/token");
    CHECK(parse_kubeconfig(kubeconfig(kServer, "    tokenFile: token\n"), "")->token_file == "token");
}

TEST_CASE("client certificate and key given inline", "[kube]") {
    const std::string text =
        kubeconfig(kServer, "    client-certificate-data: " + aia::base64::encode_standard("CERT") +
                                "\n    client-key-data: " + aia::base64::encode_standard("KEY") + "\n");
    auto config = parse_kubeconfig(text, "/d");
    REQUIRE(config.ok());
    CHECK(config->client_cert.data == "CERT");
    CHECK(config->client_key.data == "KEY");
}

TEST_CASE("the context override and a context without a user", "[kube]") {
    auto config = parse_kubeconfig(kubeconfig(kServer, kToken), "/d", "other");
    REQUIRE(config.ok());
    CHECK(config->server_host == "other.example");
    CHECK(config->port == 8443);
    CHECK(config->bearer_token.empty());
    CHECK(config->source == "kubeconfig context other");
}

TEST_CASE("missing references are named", "[kube]") {
    auto context = parse_kubeconfig(kubeconfig(kServer, kToken), "/d", "nope");
    REQUIRE_FALSE(context.ok());
    CHECK(mentions(context.error(), "context \"nope\" not found"));

    const std::string no_user =
        "current-context: a\ncontexts:\n- name: a\n  context: {cluster: c, user: ghost}\n"
        "clusters:\n- name: c\n  cluster: {server: 'https://h'}\n";
    auto user = parse_kubeconfig(no_user, "/d");
    REQUIRE_FALSE(user.ok());
    CHECK(mentions(user.error(), "user \"ghost\" not found"));

    const std::string no_cluster = "current-context: a\ncontexts:\n- name: a\n  context: {cluster: gone}\n";
    auto cluster = parse_kubeconfig(no_cluster, "/d");
    REQUIRE_FALSE(cluster.ok());
    CHECK(mentions(cluster.error(), "cluster \"gone\" not found"));

    auto none = parse_kubeconfig("clusters: []\n", "/d");
    REQUIRE_FALSE(none.ok());
    CHECK(mentions(none.error(), "no current-context"));
}

TEST_CASE("credential kinds we do not support are refused", "[kube]") {
    for (const char* field : {"    exec: {command: aws}\n", "    auth-provider: {name: gcp}\n", "    username: admin\n",
                              "    password: secret\n", "    as: someone\n", "    as-groups: [g]\n"}) {
        INFO(field);
        auto config = parse_kubeconfig(kubeconfig(kServer, field), "/d");
        REQUIRE_FALSE(config.ok());
        CHECK(mentions(config.error(), "is not supported"));
    }
    auto proxy = parse_kubeconfig(kubeconfig(kServer + "    proxy-url: http://proxy\n", kToken), "/d");
    REQUIRE_FALSE(proxy.ok());
    CHECK(mentions(proxy.error(), "proxy-url"));
}

TEST_CASE("insecure-skip-tls-verify fails closed", "[kube]") {
    const std::string text = kubeconfig(kServer + "    insecure-skip-tls-verify: true\n", kToken);
    auto refused = parse_kubeconfig(text, "/d");
    REQUIRE_FALSE(refused.ok());
    CHECK(mentions(refused.error(), "insecure-skip-tls-verify"));
    auto allowed = parse_kubeconfig(text, "/d", {}, true);
    REQUIRE(allowed.ok());
    CHECK(allowed->insecure_skip_tls_verify);
    CHECK_FALSE(parse_kubeconfig(kubeconfig(kServer + "    insecure-skip-tls-verify: false\n", kToken), "/d")
                    ->insecure_skip_tls_verify);
    auto with_ca = parse_kubeconfig(
        kubeconfig(kServer + "    insecure-skip-tls-verify: true\n    certificate-authority: ca\n", kToken), "/d", {},
        true);
    CHECK_FALSE(with_ca.ok());
    CHECK_FALSE(parse_kubeconfig(kubeconfig(kServer + "    insecure-skip-tls-verify: maybe\n", kToken), "/d").ok());
}

TEST_CASE("contradictory or broken kubeconfigs", "[kube]") {
    const std::vector<std::string> bad = {
        kubeconfig(kServer + "    certificate-authority: a\n    certificate-authority-data: YQ==\n", kToken),
        kubeconfig(kServer + "    certificate-authority-data: '****'\n", kToken),
        kubeconfig(kServer + "    certificate-authority-data: YQ\n", kToken),
        kubeconfig(kServer + "    certificate-authority-data: YQ===\n", kToken),
        kubeconfig(kServer + "    certificate-authority-data: a-b_\n", kToken),
        kubeconfig(kServer, "    client-certificate: c\n"),
        kubeconfig(kServer, "    client-key: k\n"),
        kubeconfig(kServer, "    token: t\n    client-certificate: c\n    client-key: k\n"),
        kubeconfig(kServer, "    token: [a, b]\n"),
        kubeconfig("    server: http://api.example.com\n", kToken),
        kubeconfig("    tls-server-name: x\n", kToken),
        "current-context: main\nclusters: {c1: {}}\n",
        "current-context: main\nclusters:\n- cluster: {server: 'https://h'}\n",
        "current-context: main\nclusters:\n- {name: c, cluster: {server: 'https://a'}}\n"
        "- {name: c, cluster: {server: 'https://b'}}\n",
        "current-context: main\nclusters:\n- {name: c, cluster: [1]}\n",
        "- just\n- a list\n",
        "current-context: [a]\n",
        "key: [unclosed\n",
        "",
    };
    for (const std::string& text : bad) {
        INFO(text);
        auto config = parse_kubeconfig(text, "/d");
        CHECK_FALSE(config.ok());
    }
}

TEST_CASE("a --master URL replaces the server and keeps credentials", "[kube]") {
    auto config = parse_kubeconfig(kubeconfig(kServer, kToken), "/d");
    REQUIRE(config.ok());
    auto merged = apply_master(*config, "https://[::1]:9443/prefix");
    REQUIRE(merged.ok());
    CHECK(merged->server_host == "::1");
    CHECK(merged->port == 9443);
    CHECK(merged->base_path == "/prefix");
    CHECK(merged->bearer_token == "abc123");
    auto http = apply_master(*config, "http://x");
    REQUIRE_FALSE(http.ok());
    CHECK(mentions(http.error(), "--master"));
}

TEST_CASE("in-cluster configuration from the environment", "[kube]") {
    auto config =
        in_cluster_config(env_of({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}}));
    REQUIRE(config.ok());
    CHECK(config->server_host == "10.96.0.1");
    CHECK(config->port == 443);
    CHECK(config->token_file == "/var/run/secrets/kubernetes.io/serviceaccount/token");
    CHECK(config->ca.file == "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
    CHECK(config->source == "in-cluster");

    auto v6 =
        in_cluster_config(env_of({{"KUBERNETES_SERVICE_HOST", "fd00:10:96::1"}, {"KUBERNETES_SERVICE_PORT", "6443"}}));
    REQUIRE(v6.ok());
    CHECK(authority(*v6) == "[fd00:10:96::1]:6443");
}

TEST_CASE("in-cluster configuration refuses a missing or odd environment", "[kube]") {
    auto unset = in_cluster_config(env_of({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}}));
    REQUIRE_FALSE(unset.ok());
    CHECK(unset.error() == "not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset) and no --kubeconfig given");
    CHECK_FALSE(in_cluster_config(env_of({{"KUBERNETES_SERVICE_HOST", ""}, {"KUBERNETES_SERVICE_PORT", "443"}})).ok());
    CHECK_FALSE(in_cluster_config(env_of({{"KUBERNETES_SERVICE_HOST", "h"}, {"KUBERNETES_SERVICE_PORT", "x"}})).ok());
    CHECK_FALSE(in_cluster_config(env_of({{"KUBERNETES_SERVICE_HOST", "h/p"}, {"KUBERNETES_SERVICE_PORT", "1"}})).ok());
}

TEST_CASE("resolve picks kubeconfig, --master or in-cluster as client-go does", "[kube]") {
    const auto in_cluster = env_of({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}});

    ResolveInput from_file{"", "/etc/kube/config", kubeconfig(kServer, kToken), "", false};
    auto file = resolve(from_file, in_cluster);
    REQUIRE(file.ok());
    CHECK(file->config.server_host == "api.example.com");
    CHECK(file->config.source == "kubeconfig /etc/kube/config context main");
    CHECK(file->warnings.empty());

    from_file.master = "https://override:1234";
    auto both = resolve(from_file, in_cluster);
    REQUIRE(both.ok());
    CHECK(both->config.server_host == "override");
    CHECK(both->config.bearer_token == "abc123");
    CHECK(both->config.source == "kubeconfig /etc/kube/config context main, server from --master");
    from_file.master = "http://override";
    CHECK_FALSE(resolve(from_file, in_cluster).ok());

    auto master = resolve({"https://m.example", "", "", "", false}, in_cluster);
    REQUIRE(master.ok());
    CHECK(master->config.server_host == "m.example");
    CHECK(master->config.bearer_token.empty());
    CHECK(master->config.token_file.empty());
    CHECK(master->config.source == "--master");
    REQUIRE(master->warnings.size() == 1);
    CHECK(mentions(master->warnings[0], "no credentials"));

    auto cluster = resolve({}, in_cluster);
    REQUIRE(cluster.ok());
    CHECK(cluster->config.source == "in-cluster");
    REQUIRE(cluster->warnings.size() == 1);
    CHECK(mentions(cluster->warnings[0], "Using the inClusterConfig"));

    ResolveInput quiet;
    quiet.warn_in_cluster = false;
    auto crd = resolve(quiet, in_cluster);
    REQUIRE(crd.ok());
    CHECK(crd->config.source == "in-cluster");
    CHECK(crd->warnings.empty());

    auto outside = resolve({}, env_of({}));
    REQUIRE_FALSE(outside.ok());
    CHECK(mentions(outside.error(), "not running in a cluster"));
    auto broken = resolve({"", "/k/config", "clusters: 1\n", "", false}, in_cluster);
    REQUIRE_FALSE(broken.ok());
    CHECK(mentions(broken.error(), "/k/config"));
}

TEST_CASE("a kubeconfig written as JSON, with both token and tokenFile", "[kube]") {
    const std::string json = R"({"current-context":"a","contexts":[{"name":"a","context":{"cluster":"c","user":"u"}}],
        "clusters":[{"name":"c","cluster":{"server":"https://[2001:db8::1]"}}],
        "users":[{"name":"u","user":{"token":"t0","tokenFile":"/run/token"}}]})";
    auto config = parse_kubeconfig(json, "/d");
    REQUIRE(config.ok());
    CHECK(config->server_host == "2001:db8::1");
    CHECK(config->port == 443);
    CHECK(config->bearer_token == "t0");
    CHECK(config->token_file == "/run/token");
}

TEST_CASE("a deeply nested kubeconfig is an error, not a crash", "[kube]") {
    const std::string deep = "current-context: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
    auto config = parse_kubeconfig(deep, "/d");
    REQUIRE_FALSE(config.ok());
    CHECK(mentions(config.error(), "kubeconfig"));
}
