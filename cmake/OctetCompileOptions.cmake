# Compile options shared by every octet target: warnings are errors, and the
# sanitizer configuration (OCTET_SANITIZE) instruments everything we build.
add_library(octet_compile_options INTERFACE)
target_compile_options(octet_compile_options INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
  -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)

if(OCTET_SANITIZE)
  set(_octet_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(octet_compile_options INTERFACE ${_octet_san})
  target_link_options(octet_compile_options INTERFACE ${_octet_san})
endif()
