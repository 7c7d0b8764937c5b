#!/usr/bin/env bash
# lib/core must stay pure: no I/O, no clock or environment reads, no threads,
# no logging, no Asio. This test fails when a source file there reaches for
# any of them, so the promise in lib/CMakeLists.txt cannot rot silently.
set -euo pipefail
core="${1:?usage: check_core_purity.sh <lib/core dir>}"

forbidden_includes='#include <(fstream|iostream|istream|ostream|filesystem|thread|mutex|shared_mutex|condition_variable|future|random|ctime|csignal|unistd\.h|fcntl\.h|sys/[a-z_]+\.h|netinet/[a-z_]+\.h|arpa/[a-z_]+\.h|boost/[^>]+|spdlog/[^>]+|openssl/(ssl|bio|rand)\.h)>'
forbidden_calls='(::now\(|getenv|fopen|std::cout|std::cerr|[^n]printf\(|std::rand|srand\(|time\(nullptr\)|std::thread|\bsleep\()'

status=0
if grep -RnE "$forbidden_includes" "$core"; then
  echo "lib/core includes a header for I/O, threads, time or logging (listed above)" >&2
  status=1
fi
if grep -RnE "$forbidden_calls" "$core"; then
  echo "lib/core reads the clock or environment, or does I/O (listed above)" >&2
  status=1
fi
files=$(find "$core" -name '*.cpp' -o -name '*.hpp' | wc -l)
if ((files < 10)); then
  echo "found only $files source files under $core: wrong directory?" >&2
  status=1
fi
((status == 0)) && echo "lib/core: $files files, no I/O, clock, environment, threads or logging"
exit $status
