#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. the normal build (g++, warnings as errors): unit tests and the fuzz
#      corpus replays, through CTest;
#   2. the sanitizer build (g++, ASan + UBSan, every finding fatal): the same
#      CTest suite again, integration tests included;
#   3. the same again with ThreadSanitizer;
#   4. the fuzzing build (clang, libFuzzer + ASan + UBSan): each fuzz target
#      runs a fixed number of fresh inputs as a smoke test.
# Exits non-zero on the first failure. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_RUNS=${FUZZ_RUNS:-50000}   # per target; about 5 s each on 2 cores
JOBS=$(nproc)
# Line tables only (-g1): sanitizer reports keep file and line, and the
# builds take about a third less time than with full debug info.
OPTIMIZED_WITH_LINES=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")

./scripts/install-deps.sh

echo "== normal build and tests"
cmake -S . -B build/release -G Ninja "${OPTIMIZED_WITH_LINES[@]}" -DAIA_WERROR=ON >/dev/null
cmake --build build/release -j "$JOBS"
ctest --test-dir build/release --output-on-failure -j "$JOBS" --timeout 300

echo "== sanitizer build (ASan + UBSan) and the same tests"
cmake -S . -B build/asan -G Ninja "${OPTIMIZED_WITH_LINES[@]}" -DAIA_WERROR=ON \
  -DAIA_SANITIZE=address,undefined >/dev/null
cmake --build build/asan -j "$JOBS"
# A report of either sanitizer (leaks included) fails the process, and so
# the test that started it.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j "$JOBS" --timeout 900

echo "== sanitizer build (TSan) and the same tests: the threads (workers, reloaders, log writer, AWS calls)"
cmake -S . -B build/tsan -G Ninja "${OPTIMIZED_WITH_LINES[@]}" -DAIA_WERROR=ON \
  -DAIA_SANITIZE=thread >/dev/null
cmake --build build/tsan -j "$JOBS"
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --test-dir build/tsan --output-on-failure -j "$JOBS" --timeout 900

echo "== fuzzing build and smoke runs ($FUZZ_RUNS inputs per target)"
CXX=clang++ cmake -S . -B build/fuzz -G Ninja "${OPTIMIZED_WITH_LINES[@]}" \
  -DAIA_BUILD_FUZZERS=ON -DAIA_BUILD_TESTS=OFF -DAIA_BUILD_SERVER=OFF >/dev/null
cmake --build build/fuzz -j "$JOBS"
for corpus in tests/fuzz/corpus/*/; do
  target=$(basename "$corpus")
  scratch=$(mktemp -d)   # new inputs land here, never in the committed corpus
  echo "-- fuzz_$target"
  if ! build/fuzz/tests/fuzz/"fuzz_$target" -runs="$FUZZ_RUNS" -max_total_time=120 \
         -artifact_prefix="$scratch/" "$scratch" "$corpus" > "$scratch/log" 2>&1; then
    tail -n 40 "$scratch/log"
    echo "fuzz_$target failed; the crashing input is in $scratch" >&2
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$scratch/log"
  rm -rf "$scratch"
done

echo "== all tests passed"
