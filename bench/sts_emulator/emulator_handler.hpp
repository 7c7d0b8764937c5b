#pragma once
// The emulated AWS endpoints, as strict as AWS about signatures:
//   HTTPS (EmulatorHandler):
//     GET  /?Action=GetCallerIdentity&X-Amz-...   presigned STS (tokens)
//     POST / Action=AssumeRole                     STS, SigV4 header-signed
//     POST / Action=AssumeRoleWithWebIdentity      STS, unsigned, a known web identity token
//     POST / Action=DescribeInstances              EC2, SigV4 header-signed
//     GET  /federation/credentials?account_id=&role_name=
//                                                  IAM Identity Center portal GetRoleCredentials,
//                                                  x-amz-sso_bearer_token: a known, unexpired sign-in
//     GET  /_emulator/stats                        counters, as JSON
//   plain HTTP (MetadataHandler):
//     PUT  /latest/api/token                       IMDSv2 session token
//     GET  /latest/meta-data/iam/security-credentials/[role]
//     GET  /latest/meta-data/placement/region
//     GET  /container/credentials                  ECS / EKS Pod Identity, with Authorization
// Answers use AWS's shapes, status codes and error codes (JSON or XML by
// Accept for STS, XML for EC2). Latency and failures can be injected.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>
#include <random>

#include "core/sigv4/signature_verifier.hpp"
#include "net/http_server.hpp"
#include "sts_emulator/world.hpp"

namespace aia::bench {

struct EmulatorBehaviour {
    std::chrono::milliseconds latency{0};  // added to every STS and EC2 answer
    std::chrono::milliseconds jitter{0};   // plus a uniform random 0..jitter
    double failure_rate = 0.0;             // share of STS requests answered with an injected failure
    enum class Failure { Throttle, InternalError } failure = Failure::Throttle;
    double ec2_throttle_rate = 0.0;  // share of DescribeInstances answered RequestLimitExceeded
};

struct EmulatorCounters {
    std::atomic<std::uint64_t> arrived{0};            // requests of any kind, counted before the injected delay
    std::atomic<std::uint64_t> requests{0};           // STS GetCallerIdentity requests received
    std::atomic<std::uint64_t> succeeded{0};          // answered 200
    std::atomic<std::uint64_t> refused{0};            // refused (bad signature, unknown key, ...)
    std::atomic<std::uint64_t> injected_failures{0};  // failed on purpose
    std::atomic<std::uint64_t> ec2_calls{0};          // DescribeInstances calls, accepted or not
    std::atomic<std::uint64_t> ec2_instance_ids{0};   // instance IDs asked for, over all calls
    std::atomic<std::uint64_t> ec2_throttled{0};
    std::atomic<std::uint64_t> assume_role{0};  // credentials issued, by way
    std::atomic<std::uint64_t> web_identity{0};
    std::atomic<std::uint64_t> imds_credentials{0};
    std::atomic<std::uint64_t> container_credentials{0};
    std::atomic<std::uint64_t> expired_refused{0};         // calls signed with expired temporary credentials
    std::atomic<std::uint64_t> signed_caller_identity{0};  // header-signed POST GetCallerIdentity calls answered
    std::atomic<std::uint64_t> mfa_assume_role{0};         // AssumeRole calls that passed an MFA check
    std::atomic<std::uint64_t> sso_credentials{0};         // SSO role credentials handed out
    std::atomic<std::uint64_t> sso_refused{0};             // SSO portal calls refused (401 or 403)

    // Who did what, for tests that check which credentials were used.
    void record_ec2_caller(const std::string& arn);
    void record_source_arn(const std::string& arn);
    void record_external_id(const std::string& external_id);
    std::vector<std::string> ec2_callers() const;   // distinct ARNs that signed accepted DescribeInstances calls
    std::vector<std::string> source_arns() const;   // distinct x-amz-source-arn values on AssumeRole calls
    std::vector<std::string> external_ids() const;  // distinct ExternalId values on AssumeRole calls

private:
    mutable std::mutex mutex_;
    std::set<std::string> ec2_callers_, source_arns_, external_ids_;
};

class EmulatorHandler : public net::RequestHandler {
public:
    EmulatorHandler(net::asio::io_context& io, World& world, const EmulatorBehaviour& behaviour,
                    EmulatorCounters& counters, std::function<std::uint64_t()> connections_accepted);

    net::awaitable<net::HttpResponse> handle(net::HttpRequest request) override;

private:
    net::HttpResponse get_caller_identity(const net::HttpRequest& request, const std::string& id);
    net::HttpResponse post(const net::HttpRequest& request, const std::string& id);
    net::HttpResponse sso_role_credentials(const net::HttpRequest& request);
    sigv4::CredentialLookup credential_lookup(amz_time::Seconds now, bool& expired) const;
    net::HttpResponse caller_identity(const net::HttpRequest& request, const Principal& principal,
                                      const std::string& id);

    net::asio::io_context& io_;
    World& world_;
    const EmulatorBehaviour& behaviour_;
    EmulatorCounters& counters_;
    std::function<std::uint64_t()> connections_accepted_;
    std::mt19937_64 random_;
};

class MetadataHandler : public net::RequestHandler {
public:
    MetadataHandler(World& world, EmulatorCounters& counters) : world_(world), counters_(counters) {}

    net::awaitable<net::HttpResponse> handle(net::HttpRequest request) override;

private:
    World& world_;
    EmulatorCounters& counters_;
    std::mt19937_64 random_{std::random_device{}()};
    std::mutex tokens_mutex_;
    std::map<std::string, std::chrono::steady_clock::time_point> tokens_;  // IMDSv2 session tokens and their expiry
};

}  // namespace aia::bench
