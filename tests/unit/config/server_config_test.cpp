#include <catch2/catch.hpp>

#include "core/config/listen_address.hpp"
#include "core/config/server_config.hpp"

using namespace aia;
using config::parse_server_config;
using std::chrono::milliseconds;

namespace {

// Shaped like upstream's deploy/example.yaml config: mixed-case keys, a role
// mapped twice, templates, an empty mapAccounts.
constexpr std::string_view kUpstreamStyle = R"(
clusterID: my-dev-cluster.example.com
server:
  port: 21362
  stateDir: /var/aws-iam-authenticator
  mapRoles:
  - roleARN: arn:aws:iam::000000000000:role/KubernetesAdmin
    username: kubernetes-admin
    groups:
    - system:masters
  - rolearn: arn:aws:iam::000000000000:role/KubernetesNode
    username: aws:{{AccountID}}:instance:{{SessionName}}
    groups:
    - system:bootstrappers
    - aws:instances
  - RoleArn: arn:aws:iam::000000000000:role/KubernetesAdmin
    username: admin:{{SessionName}}
    groups:
    - system:masters
  mapUsers:
  - userARN: arn:aws:iam::000000000000:user/Alice
    username: alice
    groups:
    - system:masters
  mapAccounts:
)";

config::ParsedConfig parse(std::string_view yaml) {
    auto parsed = parse_server_config(yaml);
    if (!parsed) FAIL(parsed.error());
    return std::move(parsed).value();
}

}  // namespace

TEST_CASE("an upstream config file is read as upstream reads it", "[config]") {
    const auto parsed = parse(kUpstreamStyle);
    const config::ServerConfig& c = parsed.config;
    CHECK(c.cluster_id == "my-dev-cluster.example.com");
    CHECK(c.port == 21362);
    CHECK(c.state_dir == "/var/aws-iam-authenticator");
    REQUIRE(c.mappings.roles.size() == 3);
    CHECK(c.mappings.roles[0].arn == "arn:aws:iam::000000000000:role/KubernetesAdmin");
    CHECK(c.mappings.roles[1].username == "aws:{{AccountID}}:instance:{{SessionName}}");
    CHECK(c.mappings.roles[1].groups == std::vector<std::string>{"system:bootstrappers", "aws:instances"});
    CHECK(c.mappings.roles[2].arn == "arn:aws:iam::000000000000:role/KubernetesAdmin");
    REQUIRE(c.mappings.users.size() == 1);
    CHECK(c.mappings.users[0].username == "alice");
    CHECK(c.mappings.accounts.empty());
    CHECK(parsed.warnings.empty());
    CHECK(config::validate(c).ok());
}

TEST_CASE("defaults are upstream's", "[config]") {
    const config::ServerConfig c = parse("clusterID: x").config;
    CHECK(c.partition == "aws");
    CHECK(c.address == "127.0.0.1");
    CHECK(c.port == 21362);
    CHECK(c.state_dir == "/var/aws-iam-authenticator");
    CHECK(c.generate_kubeconfig == "/etc/kubernetes/aws-iam-authenticator/kubeconfig.yaml");
    CHECK_FALSE(c.kubeconfig_pregenerated);
    CHECK(c.backend_mode == std::vector<std::string>{"MountedFile"});
    CHECK(c.sts_timeout == std::chrono::seconds{10});
    CHECK(c.log_format == "text");
    CHECK(c.log_verbosity == "info");
    CHECK(parse("").config.cluster_id.empty());
}

TEST_CASE("every supported key", "[config]") {
    const auto parsed = parse(R"(
ClusterId: c1
log-format: json
log-verbosity: debug
server:
  partition: aws-cn
  address: 0.0.0.0
  port: "8443"
  hostname: authenticator.example.com
  stateDir: /tmp/state
  generateKubeconfig: /tmp/kubeconfig.yaml
  kubeconfigPregenerated: true
  backendMode: [File]
  scrubbedAccounts: ["111122223333"]
  mapAccounts: [012345678901, "444455556666"]
  stsEndpointOverride: https://127.0.0.1:4443
  stsCACertFile: /tmp/ca.pem
  stsTimeout: 1500ms
  region: cn-north-1
)");
    const config::ServerConfig& c = parsed.config;
    CHECK(c.cluster_id == "c1");
    CHECK(c.log_format == "json");
    CHECK(c.log_verbosity == "debug");
    CHECK(c.partition == "aws-cn");
    CHECK(c.address == "0.0.0.0");
    CHECK(c.port == 8443);
    CHECK(c.hostname == "authenticator.example.com");
    CHECK(c.state_dir == "/tmp/state");
    CHECK(c.generate_kubeconfig == "/tmp/kubeconfig.yaml");
    CHECK(c.kubeconfig_pregenerated);
    CHECK(c.backend_mode == std::vector<std::string>{"File"});
    CHECK(c.scrubbed_accounts == std::vector<std::string>{"111122223333"});
    // An unquoted account ID keeps its leading zero.
    CHECK(c.mappings.accounts == std::vector<std::string>{"012345678901", "444455556666"});
    CHECK(c.sts_endpoint_override == "https://127.0.0.1:4443");
    CHECK(c.sts_ca_cert_file == "/tmp/ca.pem");
    CHECK(c.sts_timeout == milliseconds{1500});
    CHECK(c.region == "cn-north-1");
    CHECK(parsed.warnings.empty());
    CHECK(config::validate(c).ok());
    CHECK(config::advertised_host(c) == "authenticator.example.com");
}

TEST_CASE("unknown keys warn, naming the key", "[config]") {
    const auto parsed = parse(R"(
clusterID: c1
feature-gates: SSORoleMatch=true,ConfiguredInitDirectories=true,IAMIdentityMappingCRD=false
colour: blue
server:
  dynamicfilepath: /tmp/x.json
  dynamicBackendModePath: /tmp/mode.json
  portt: 1
  mapRoles:
  - rolearn: arn:aws:iam::000000000000:role/A
    username: a
    shoe: 42
  - sso: {permissionSetName: Admin, accountID: "000000000000"}
    username: sso-admin
)");
    CHECK(parsed.warnings == std::vector<std::string>{
                                 "colour: unknown key, ignored",
                                 "server.portt: unknown key, ignored",
                                 "server.mapRoles[0].shoe: unknown key, ignored",
                             });
    CHECK(parsed.config.sso_role_match);
    CHECK(parsed.config.configured_init_directories);
    CHECK(parsed.config.dynamic_backend_mode_path == "/tmp/mode.json");
    REQUIRE(parsed.config.mappings.roles.size() == 2);
    CHECK(parsed.config.mappings.roles[1].sso->permission_set_name == "Admin");
    CHECK(parsed.config.dynamic_file_path == "/tmp/x.json");
}

TEST_CASE("EC2 lookup settings", "[config]") {
    const auto parsed = parse(R"(
clusterID: c1
server:
  ec2DescribeInstancesQps: 40
  ec2DescribeInstancesBurst: 20
  ec2DescribeInstancesRoleARN: arn:aws:iam::111122223333:role/Describe
  sourceARN: arn:aws:eks:us-west-2:111122223333:cluster/c1
)");
    CHECK(parsed.warnings.empty());
    CHECK(parsed.config.ec2_describe_instances_qps == 40);
    CHECK(parsed.config.ec2_describe_instances_burst == 20);
    CHECK(parsed.config.ec2_describe_instances_role_arn == "arn:aws:iam::111122223333:role/Describe");
    CHECK(parsed.config.source_arn == "arn:aws:eks:us-west-2:111122223333:cluster/c1");
    CHECK(config::validate(parsed.config).ok());

    CHECK(parse("clusterID: c1\nserver:\n  maxInflightSTSRequests: 16\n").config.max_inflight_sts_requests == 16);

    const config::ServerConfig defaults;
    CHECK(defaults.max_inflight_sts_requests == 2048);
    CHECK(defaults.ec2_describe_instances_qps == 15);  // upstream's defaults
    CHECK(defaults.ec2_describe_instances_burst == 5);
}

TEST_CASE("connection limits and shutdown grace", "[config]") {
    using std::chrono::milliseconds;
    const auto parsed = parse(R"(
clusterID: c1
server:
  tlsHandshakeTimeout: 3s
  idleTimeout: 90s
  readHeaderTimeout: 2s
  readBodyTimeout: 4s
  writeTimeout: 5s
  maxConnections: 300
  maxRequestsPerConnection: 1000
  shutdownGracePeriod: 0s
  requestTimeout: 7s
)");
    CHECK(parsed.warnings.empty());
    CHECK(parsed.config.tls_handshake_timeout == milliseconds{3000});
    CHECK(parsed.config.idle_timeout == milliseconds{90000});
    CHECK(parsed.config.read_header_timeout == milliseconds{2000});
    CHECK(parsed.config.read_body_timeout == milliseconds{4000});
    CHECK(parsed.config.write_timeout == milliseconds{5000});
    CHECK(parsed.config.max_connections == 300);
    CHECK(parsed.config.max_requests_per_connection == 1000);
    CHECK(parsed.config.shutdown_grace_period == milliseconds{0});
    CHECK(parsed.config.request_timeout == milliseconds{7000});
    CHECK(config::validate(parsed.config).ok());

    const config::ServerConfig defaults;
    CHECK(defaults.read_header_timeout == milliseconds{10000});
    CHECK(defaults.idle_timeout == milliseconds{60000});
    CHECK(defaults.max_connections == 4096);
    CHECK(defaults.shutdown_grace_period == milliseconds{10000});
    CHECK(defaults.request_timeout == milliseconds{25000});

    const auto error_of = [](std::string_view yaml) {
        const auto result = parse_server_config(yaml);
        if (!result) return result.error();
        const auto valid = config::validate(result->config);
        return valid ? std::string("valid") : valid.error();
    };
    CHECK(error_of("clusterID: x\nserver:\n  readHeaderTimeout: 0s") ==
          "config key server.readHeaderTimeout: must be positive");
    CHECK(error_of("clusterID: x\nserver:\n  writeTimeout: 0ms") == "config key server.writeTimeout: must be positive");
    CHECK(error_of("clusterID: x\nserver:\n  requestTimeout: 0s") ==
          "config key server.requestTimeout: must be positive");
    CHECK(error_of("clusterID: x\nserver:\n  shutdownGracePeriod: soon") ==
          "config key server.shutdownGracePeriod: invalid duration \"soon\" (want e.g. 10s, 500ms, 1m30s)");
    CHECK(error_of("clusterID: x\nserver:\n  idleTimeout: forever") ==
          "config key server.idleTimeout: invalid duration \"forever\" (want e.g. 10s, 500ms, 1m30s)");
    CHECK(error_of("clusterID: x\nserver:\n  maxConnections: 0") ==
          "config key server.maxConnections: must be at least 1");
    CHECK(error_of("clusterID: x\nserver:\n  maxRequestsPerConnection: lots") ==
          "config key server.maxRequestsPerConnection: must be a whole number from 1 to 999999, not \"lots\"");
}

TEST_CASE("invalid values stop start-up with the key named", "[config]") {
    const auto error_of = [](std::string_view yaml) {
        const auto parsed = parse_server_config(yaml);
        if (!parsed) return parsed.error();
        const auto valid = config::validate(parsed->config);
        return valid ? std::string("valid") : valid.error();
    };
    CHECK(error_of("clusterID: [a, b]") == "config key clusterID: must be a single value");
    CHECK(error_of("clusterID: x\nserver:\n  port: 70000") ==
          "config key server.port: must be a port number from 0 to 65535, not \"70000\"");
    CHECK(error_of("clusterID: x\nserver:\n  port: -1") ==
          "config key server.port: must be a port number from 0 to 65535, not \"-1\"");
    CHECK(error_of("clusterID: x\nserver:\n  kubeconfigPregenerated: maybe") ==
          "config key server.kubeconfigPregenerated: must be true or false");
    CHECK(error_of("clusterID: x\nserver:\n  mapRoles: {a: b}") == "config key server.mapRoles: must be a list");
    CHECK(error_of("clusterID: x\nserver:\n  mapRoles: [x]") ==
          "config key server.mapRoles[0]: must be a mapping with rolearn, username, groups");
    CHECK(error_of("clusterID: x\nserver:\n  stsTimeout: soon") ==
          "config key server.stsTimeout: invalid duration \"soon\" (want e.g. 10s, 500ms, 1m30s)");
    CHECK_THAT(error_of("server:\n  port: 1"), Catch::StartsWith("config key clusterID: cluster ID cannot be empty"));
    CHECK(error_of("clusterID: x\nserver:\n  partition: aws-moon") ==
          "config key server.partition: invalid partition \"aws-moon\"");
    CHECK(error_of("clusterID: x\nserver:\n  backendMode: [EKSConfigMap, Watched]") ==
          "config key server.backendMode: backend-mode \"Watched\" is not a valid mode");
    CHECK(error_of("clusterID: x\nserver:\n  backendMode: [EKSConfigMap, ConfigMap]") ==
          "config key server.backendMode: backend mode \"ConfigMap\" is listed twice");
    CHECK(error_of("clusterID: x\nserver:\n  backendMode: [CRD]\n  master: http://api:8080") ==
          "config key server.master: server URL \"http://api:8080\": plain http:// is refused because API "
          "requests carry credentials; use https://");
    CHECK(error_of("clusterID: x\nserver:\n  backendMode: DynamicFile") ==
          "config key server.dynamicfilepath: dynamicfile is set in backend-mode but dynamicfilepath is not set");
    CHECK(error_of("clusterID: x\nserver:\n  dynamicfilepath: /x.json") ==
          "config key server.dynamicfilepath: dynamicfile is not set in backend-mode but dynamicfilepath is set");
    CHECK(error_of("clusterID: x\nserver:\n  backendMode: EKSConfigMapFile") ==
          "config key server.awsAuthPath: EKSConfigMapFile is set in backend-mode but awsAuthPath is not set");
    CHECK(
        error_of(
            "clusterID: x\nserver:\n  backendMode: [DynamicFile, EKSConfigMapFile, File]\n  dynamicfilepath: /d.json\n"
            "  awsAuthPath: /a.yaml") == "valid");
    // Any backend mode is accepted, as upstream; a name no backend has is a warning.
    CHECK(error_of("clusterID: x\nserver:\n  reservedPrefixConfig: [{backendmode: Magic}]") == "valid");
    CHECK(error_of("clusterID: x\nserver:\n  backendMode: Magic") ==
          "config key server.backendMode: backend-mode \"Magic\" is not a valid mode");
    CHECK(error_of("clusterID: x\nserver:\n  backendMode: File,MountedFile") ==
          "config key server.backendMode: backend mode \"MountedFile\" is listed twice");
    CHECK(error_of("clusterID: x\nserver:\n  backendMode: []") ==
          "config key server.backendMode: at least one backend-mode must be specified");
    CHECK(error_of("clusterID: x\nserver:\n  scrubbedAccounts: [1]") ==
          "config key server.scrubbedAccounts: \"1\" is not a 12-digit account ID");
    // An unknown log format is a warning and text, as upstream (test_startup checks the warning).
    CHECK(error_of("clusterID: x\nlog-format: xml") == "valid");
    CHECK(parse_server_config("log-format: xml")->config.log_format == "text");
    CHECK(parse_server_config("log-format: xml")->warnings ==
          std::vector<std::string>{"log format \"xml\" is not text or json; logging text"});
    CHECK(error_of("clusterID: x\nfeature-gates: Teleport=true") ==
          "config key feature-gates: unknown feature gate \"Teleport\"");
    CHECK(error_of("clusterID: x\nfeature-gates: SSORoleMatch") ==
          "config key feature-gates: feature gate \"SSORoleMatch\" must be Name=true or Name=false");
    for (const char* bad_override :
         {"http://127.0.0.1:1", "https://", "https://h/path", "https://u@h", "https://h:99999", "https://h?x",
          "https://:8443", "https://h:", "https://[::1", "https://::1:80", "https://h:0"}) {
        INFO(bad_override);
        CHECK_THAT(error_of(std::string("clusterID: x\nserver:\n  stsEndpointOverride: \"") + bad_override + "\""),
                   Catch::StartsWith("config key server.stsEndpointOverride:"));
    }
    CHECK(error_of("clusterID: x\nserver:\n  stsEndpointOverride: https://sts.example:4443/") == "valid");
    CHECK(error_of("clusterID: x\nserver:\n  ec2DescribeInstancesQps: 0") ==
          "config key server.ec2DescribeInstancesQps: must be positive");
    CHECK(error_of("clusterID: x\nserver:\n  ec2DescribeInstancesBurst: -1") ==
          "config key server.ec2DescribeInstancesBurst: must be a whole number from 1 to 999999, not \"-1\"");
    CHECK(error_of("clusterID: x\nserver:\n  maxInflightSTSRequests: 0") ==
          "config key server.maxInflightSTSRequests: must be at least 1");
    CHECK(error_of("clusterID: x\nserver:\n  ec2DescribeInstancesRoleARN: Describe") ==
          "config key server.ec2DescribeInstancesRoleARN: must be an ARN (arn:...), not \"Describe\"");
}

TEST_CASE("mapping sources and reserved prefixes", "[config]") {
    const auto parsed = parse(R"(
clusterID: c
server:
  backendMode: [MountedFile, DynamicFile]
  dynamicfilepath: /var/dynamic.json
  dynamicfileUserIDStrict: true
  awsAuthPath: /etc/aws-auth
  reservedPrefixConfig:
  - backendmode: DynamicFile
    usernamePrefixReserveList: ["aws:", "system:"]
  - BackendMode: File
    UsernamePrefixReserveList: ["iam:"]
  - backendmode: ConfigMap
    usernamePrefixReserveList: ["eks:"]
  - backendmode: CRD
    usernamePrefixReserveList: ["crd:"]
  - backendmode: Magic
    usernamePrefixReserveList: ["magic:"]
)");
    // Upstream's API-watching backends keep theirs for when they run (ConfigMap
    // is EKSConfigMap's alias); a name no backend has is only a warning.
    CHECK(parsed.config.reserved_prefixes.at("EKSConfigMap") == std::vector<std::string>{"eks:"});
    CHECK(parsed.config.reserved_prefixes.at("CRD") == std::vector<std::string>{"crd:"});
    CHECK(parsed.config.reserved_prefixes.size() == 4);
    CHECK(parsed.warnings ==
          std::vector<std::string>{
              "server.reservedPrefixConfig[4].backendmode: \"Magic\" is no backend's mode; ignored"});
    CHECK(parsed.config.dynamic_file_path == "/var/dynamic.json");
    CHECK(parsed.config.dynamic_file_user_id_strict);
    CHECK(parsed.config.aws_auth_path == "/etc/aws-auth");
    CHECK(parsed.config.reserved_prefixes.at("DynamicFile") == std::vector<std::string>{"aws:", "system:"});
    CHECK(parsed.config.reserved_prefixes.at("MountedFile") == std::vector<std::string>{"iam:"});
    CHECK(config::validate(parsed.config).ok());
}

TEST_CASE("broken YAML is reported with its line", "[config]") {
    CHECK_THAT(parse_server_config("clusterID: x\nserver:\n  port: [1\n").error(),
               Catch::StartsWith("config file is not valid YAML: line 4"));
    CHECK(parse_server_config("- a\n- b").error() == "config file must be a YAML mapping of keys to values");
}

TEST_CASE("durations", "[config]") {
    CHECK(*config::parse_duration("10s") == milliseconds{10000});
    CHECK(*config::parse_duration("250ms") == milliseconds{250});
    CHECK(*config::parse_duration("1m30s") == milliseconds{90000});
    CHECK(*config::parse_duration("2h") == milliseconds{7200000});
    CHECK(*config::parse_duration("3") == milliseconds{3000});
    for (const char* bad : {"", "s", "10", "1.5s", "10 s", "-1s", "1d", "9999999999s"}) {
        INFO(bad);
        if (std::string_view(bad) == "10") continue;  // a bare number is seconds
        CHECK_FALSE(config::parse_duration(bad).ok());
    }
}

TEST_CASE("the advertised host is localhost unless named, as upstream", "[config]") {
    config::ServerConfig c;
    CHECK(config::advertised_host(c) == "localhost");
    c.address = "0.0.0.0";
    CHECK(config::advertised_host(c) == "localhost");
    c.hostname = "auth.local";
    CHECK(config::advertised_host(c) == "auth.local");
    // Set empty: derived from the address.
    c.hostname.clear();
    CHECK(config::advertised_host(c) == "127.0.0.1");
    c.address = "10.0.0.5";
    CHECK(config::advertised_host(c) == "10.0.0.5");
}

TEST_CASE("the health listener's address: upstream's :21363 by default, movable, or off", "[config]") {
    const config::ServerConfig defaults;
    const auto parsed = config::parse_listen_address(defaults.health_address);
    REQUIRE(parsed);
    REQUIRE(parsed->has_value());
    CHECK((*parsed)->host.empty());
    CHECK((*parsed)->port == 21363);
    const auto at = [](std::string_view text) {
        auto address = config::parse_listen_address(text);
        if (!address) FAIL(address.error());
        REQUIRE(address->has_value());
        return std::pair{(*address)->host, (*address)->port};
    };
    CHECK(at("127.0.0.1:0") == std::pair<std::string, std::uint16_t>{"127.0.0.1", 0});
    CHECK(at("[::1]:8080") == std::pair<std::string, std::uint16_t>{"::1", 8080});
    CHECK(at(":65535") == std::pair<std::string, std::uint16_t>{"", 65535});
    const auto off = config::parse_listen_address("off");
    REQUIRE(off);
    CHECK_FALSE(off->has_value());
    for (const char* bad : {"", "21363", "localhost:1", ":65536", ":", "1.2.3.4:", "[::1:80", "::1:80", ":8x"}) {
        CHECK_FALSE(config::parse_listen_address(bad));
    }
}

TEST_CASE("STS endpoint override URLs", "[config]") {
    const auto endpoint = [](std::string_view url) {
        auto parsed = config::parse_endpoint_url(url);
        if (!parsed) FAIL(parsed.error());
        return std::pair{parsed->host, parsed->port};
    };
    CHECK(endpoint("https://sts.example") == std::pair<std::string, std::uint16_t>{"sts.example", 443});
    CHECK(endpoint("https://127.0.0.1:4443/") == std::pair<std::string, std::uint16_t>{"127.0.0.1", 4443});
    CHECK(endpoint("https://[::1]:4443") == std::pair<std::string, std::uint16_t>{"::1", 4443});
    CHECK(endpoint("https://[fd00::1]") == std::pair<std::string, std::uint16_t>{"fd00::1", 443});
    CHECK(config::parse_endpoint_url("https://:8443").error() == "\"https://:8443\" must be https://host[:port]");
}
