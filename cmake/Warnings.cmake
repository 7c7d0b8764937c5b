# Warning flags for our own targets (not for third-party headers, which come
# in as system includes).
function(aia_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wconversion -Wsign-conversion
                                           -Wimplicit-fallthrough
                                           # designated initializers rely on member defaults by design
                                           -Wno-missing-field-initializers)
  if(AIA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
