#!/usr/bin/env bash
# Installs the Debian bookworm packages the build and the tests need.
# Idempotent and quick when everything is already there: apt is only
# touched for packages that are missing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # libraries (see "Stack" in docs/architecture.md)
  libboost1.74-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev
  libcli11-dev prometheus-cpp-dev
  # tests; awscli: an independent token client (aws eks get-token)
  catch2 python3 python3-pytest python3-yaml curl awscli
  # bench report figures (tests/integration/test_bench_report.py)
  python3-matplotlib
  # tests in private network namespaces (flood, the AWS CLI and the SSO
  # portal): ip brings their loopback up
  iproute2
  # TLS tests: openssl s_client, certificates with any validity window
  openssl python3-cryptography
  # fuzzing: clang's libFuzzer runtime
  clang libclang-rt-14-dev
  # deploy/ checks: promtool (alert rules, /metrics), systemd-analyze (the unit)
  prometheus systemd
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
# The tests run kubectl with `token` as its exec plugin. Any kubectl will do;
# Debian's comes in kubernetes-client (which would clash with another
# package's /usr/bin/kubectl, so only when there is none).
if ! command -v kubectl >/dev/null 2>&1; then
  status=$(dpkg-query -W -f='${Status}' kubernetes-client 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=(kubernetes-client)
fi

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
