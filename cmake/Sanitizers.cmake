# Sanitizer builds, each a build tree of its own (scripts/test.sh makes the
# ASan + UBSan one; see README "Sanitizers"):
#   cmake -B build/asan -DAIA_SANITIZE=address,undefined
#   cmake -B build/tsan -DAIA_SANITIZE=thread
# Every finding is fatal: a sanitizer report fails the test that caused it.
set(AIA_SANITIZE "" CACHE STRING "Sanitizers to build with: address,undefined or thread (empty: none)")
if(AIA_SANITIZE)
  if(AIA_BUILD_FUZZERS)
    message(FATAL_ERROR "AIA_SANITIZE and AIA_BUILD_FUZZERS are separate build trees")
  endif()
  add_compile_options(-fsanitize=${AIA_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${AIA_SANITIZE})
  # GCC's sanitizer instrumentation makes -Wmaybe-uninitialized fire inside
  # Boost.Beast's parser (boost::optional members); the normal build keeps it.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
    # TSan does not model Asio's standalone fences (std_fenced_block); the
    # queues they guard are mutex-protected, which TSan does see.
    if(AIA_SANITIZE MATCHES "thread")
      add_compile_options(-Wno-tsan)
    endif()
  endif()
endif()
