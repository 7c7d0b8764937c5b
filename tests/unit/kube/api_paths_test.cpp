// Request targets as kubectl and client-go send them.

#include <catch2/catch.hpp>

#include "core/kube/api_paths.hpp"

using namespace aia::kube;

TEST_CASE("ConfigMap get, update, list and watch targets", "[kube]") {
    CHECK(config_map_path("kube-system", "aws-auth") == "/api/v1/namespaces/kube-system/configmaps/aws-auth");
    CHECK(config_map_list_path("kube-system", "aws-auth") ==
          "/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3Daws-auth");
    CHECK(config_map_watch_path("kube-system", "aws-auth", {"", false, std::nullopt}) ==
          "/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3Daws-auth&watch=true");
    CHECK(config_map_watch_path("kube-system", "aws-auth", {"12345", true, 290}) ==
          "/api/v1/namespaces/kube-system/configmaps?allowWatchBookmarks=true&fieldSelector=metadata.name%3Daws-auth"
          "&resourceVersion=12345&timeoutSeconds=290&watch=true");
}

TEST_CASE("IAMIdentityMapping list, watch and status targets", "[kube]") {
    CHECK(identity_mapping_list_path() == "/apis/iamauthenticator.k8s.aws/v1alpha1/iamidentitymappings");
    CHECK(identity_mapping_watch_path({"7", true, std::nullopt}) ==
          "/apis/iamauthenticator.k8s.aws/v1alpha1/iamidentitymappings?allowWatchBookmarks=true&resourceVersion=7"
          "&watch=true");
    CHECK(identity_mapping_status_path("kubernetes-admin") ==
          "/apis/iamauthenticator.k8s.aws/v1alpha1/iamidentitymappings/kubernetes-admin/status");
}

TEST_CASE("hostile names cannot leave their path segment or query value", "[kube]") {
    CHECK(config_map_path("a/../b", "x?y#z") == "/api/v1/namespaces/a%2F..%2Fb/configmaps/x%3Fy%23z");
    CHECK(config_map_list_path("ns", "a&watch=false") ==
          "/api/v1/namespaces/ns/configmaps?fieldSelector=metadata.name%3Da%26watch%3Dfalse");
    CHECK(identity_mapping_watch_path({"1&x=2", false, std::nullopt}) ==
          "/apis/iamauthenticator.k8s.aws/v1alpha1/iamidentitymappings?resourceVersion=1%26x%3D2&watch=true");
}
