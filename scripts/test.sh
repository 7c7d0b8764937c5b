#!/usr/bin/env bash
# Installs what is missing, builds (g++, warnings as errors) and runs every
# test through CTest.
# Exits non-zero on the first failure. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=$(nproc)

./scripts/install-deps.sh

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIA_WERROR=ON >/dev/null
cmake --build build/release -j "$JOBS"
ctest --test-dir build/release --output-on-failure -j "$JOBS" --timeout 300

echo "== all tests passed"
