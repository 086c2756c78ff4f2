# Interface target every project target links: one place for warnings and sanitizers.
add_library(vps_warnings INTERFACE)
target_compile_options(vps_warnings INTERFACE -Wall -Wextra -Wshadow -Wconversion
  -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wformat=2 -Wimplicit-fallthrough)
if(VPS_WERROR)
  target_compile_options(vps_warnings INTERFACE -Werror)
endif()
if(VPS_SANITIZE)
  target_compile_options(vps_warnings INTERFACE -fsanitize=${VPS_SANITIZE} -fno-omit-frame-pointer)
  target_link_options(vps_warnings INTERFACE -fsanitize=${VPS_SANITIZE})
endif()
if(VPS_FUZZ)
  # Instrument the library too, so libFuzzer sees coverage inside the parsers.
  target_compile_options(vps_warnings INTERFACE -fsanitize=fuzzer-no-link,address,undefined)
  target_link_options(vps_warnings INTERFACE -fsanitize=address,undefined)
endif()
