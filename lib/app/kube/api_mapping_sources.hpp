#pragma once
// The mapping sources kept in the Kubernetes API, followed while the server
// runs:
//   EKSConfigMap  the kube-system/aws-auth ConfigMap, read with the parser
//                 every aws-auth source shares;
//   CRD           IAMIdentityMapping objects (iamauthenticator.k8s.aws/v1alpha1),
//                 whose status.canonicalARN this also writes, as upstream's
//                 controller does, since lookups go by it.
// One thread with its own io_context runs one API client and one watcher
// per source. Every change is parsed there and handed to MappingSources,
// which builds and swaps in the new table, or keeps the last good one when
// the change does not parse. API failures are logged, counted and retried
// with backoff; the tables in force stay.

#include <memory>
#include <string>

#include "app/logger.hpp"
#include "app/mapping_sources.hpp"
#include "app/metrics.hpp"
#include "core/kube/client_config.hpp"
#include "core/util/result.hpp"

namespace aia::app {

class ApiMappingSources {
public:
    // The client and its thread; nothing is read until follow() is called.
    // Fails when the client cannot be set up (a CA or key that cannot be read).
    static Result<std::unique_ptr<ApiMappingSources>, std::string> create(kube::ClientConfig config,
                                                                         MappingSources& sources, Logger& log,
                                                                         Metrics& metrics);
    ~ApiMappingSources();  // stops the thread
    ApiMappingSources(const ApiMappingSources&) = delete;
    ApiMappingSources& operator=(const ApiMappingSources&) = delete;

    // Starts listing and watching one source (EKSConfigMap or CRD); again
    // for a source already followed does nothing. Any thread.
    Result<bool, std::string> follow(std::string_view source);

private:
    struct Impl;
    explicit ApiMappingSources(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace aia::app
