# Interface target every project target links: one place for warnings and sanitizers.
add_library(vps_warnings INTERFACE)
target_compile_options(vps_warnings INTERFACE -Wall -Wextra -Wshadow -Wconversion
  -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wformat=2 -Wimplicit-fallthrough)
if(VPS_WERROR)
  target_compile_options(vps_warnings INTERFACE -Werror)
endif()
# -fno-sanitize-recover: a UBSan report aborts the process, so the test that hit it fails
# (by default UBSan prints and carries on, and the test would pass).
if(VPS_SANITIZE)
  target_compile_options(vps_warnings INTERFACE -fsanitize=${VPS_SANITIZE} -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  target_link_options(vps_warnings INTERFACE -fsanitize=${VPS_SANITIZE} -fno-sanitize-recover=all)
endif()
if(VPS_FUZZ)
  # Instrument the library too, so libFuzzer sees coverage inside the parsers.
  target_compile_options(vps_warnings INTERFACE -fsanitize=fuzzer-no-link,address,undefined
    -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(vps_warnings INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
