#pragma once
// The webhook server, composed: the one place that turns a validated
// configuration into running parts. It owns, in the order they start,
// the logger, metrics, the server's own AWS session, the mapping sources,
// STS slots and the identity cache, the HTTPS server, the certificate
// reloader, the file follower (one thread that calls the mapping sources and
// the certificate reloader when their files change), and the control thread
// that turns signals into a reload or a graceful stop. Destroyed in reverse.
//
//   ServerRuntime runtime(std::move(inputs));
//   if (auto started = runtime.start(); !started) { report started.error(); }
//   runtime.serve();   // until SIGTERM/SIGINT, then a graceful shutdown

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/server_config.hpp"
#include "core/util/result.hpp"

namespace aia::app {

struct ServerRuntimeInputs {
    config::ServerConfig config;               // validated (config::validate)
    std::vector<std::string> config_warnings;  // logged at start
    std::string config_file;                   // where the MountedFile source follows the config's mappings
    unsigned threads = 1;                      // HTTPS worker threads
    std::string version;                       // for the log and the build_info metric
    std::string commit;
};

// The names the serving certificate must carry for a configuration: the
// advertised host, localhost, 127.0.0.1 and a specific bind address.
std::vector<std::string> certificate_hosts(const config::ServerConfig& config);

class ServerRuntime {
public:
    explicit ServerRuntime(ServerRuntimeInputs inputs);
    ~ServerRuntime();
    ServerRuntime(const ServerRuntime&) = delete;
    ServerRuntime& operator=(const ServerRuntime&) = delete;

    // Everything up to listening and writing the webhook kubeconfig. The
    // error names the config key or file at fault; nothing is listening then.
    Result<bool, std::string> start();
    // Serves until a signal stops the server. After start() succeeded.
    void serve();

private:
    struct Parts;
    Result<bool, std::string> start_parts();
    Result<bool, std::string> start_tls();
    Result<bool, std::string> start_mappings();
    Result<bool, std::string> start_api_source(std::string_view source);
    void start_sts_parts();
    Result<bool, std::string> start_serving();
    void start_health_listener();
    void log_start();
    void create_http_server();

    ServerRuntimeInputs inputs_;
    std::unique_ptr<Parts> parts_;
};

}  // namespace aia::app
