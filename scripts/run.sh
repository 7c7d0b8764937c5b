#!/usr/bin/env bash
# Installs what is missing, builds, and runs aws-iam-authenticator.
# Usage: scripts/run.sh [command and flags]   (default: version)
#
# The webhook server (`server --config config/default.yaml`) becomes the
# default here when it lands (issue #3); today the binary offers `version`.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIA_WERROR=ON >/dev/null
cmake --build build/release -j "$(nproc)" --target aws-iam-authenticator

if (($# == 0)); then set -- version; fi
exec build/release/server/aws-iam-authenticator "$@"
