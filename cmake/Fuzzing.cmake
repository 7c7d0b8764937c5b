# libFuzzer needs every translation unit instrumented for coverage, so the
# fuzzing build is a build tree of its own (scripts/test.sh makes it):
#   cmake -B build/fuzz -DCMAKE_CXX_COMPILER=clang++ -DAIA_BUILD_FUZZERS=ON \
#         -DAIA_BUILD_TESTS=OFF -DAIA_BUILD_SERVER=OFF
if(AIA_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AIA_BUILD_FUZZERS needs clang (configure with -DCMAKE_CXX_COMPILER=clang++)")
  endif()
  set(AIA_FUZZ_SANITIZERS "address,undefined")
  add_compile_options(-fsanitize=fuzzer-no-link,${AIA_FUZZ_SANITIZERS} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${AIA_FUZZ_SANITIZERS})
endif()
