#!/usr/bin/env bash
# Installs what is missing, builds, and runs the webhook server on
# config/default.yaml (listening on https://127.0.0.1:21362/authenticate,
# state and kubeconfig under build/run/). Ctrl-C stops it.
#
# Usage: scripts/run.sh [extra server flags]     e.g. scripts/run.sh --port 8443
# Without network access to AWS STS nothing can be authenticated; see
# scripts/demo.sh for a full round trip against the STS emulator.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIA_WERROR=ON >/dev/null
cmake --build build/release -j "$(nproc)" --target aws-iam-authenticator

exec build/release/server/aws-iam-authenticator server --config config/default.yaml "$@"
