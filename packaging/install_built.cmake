# CPack install script used by tests/packaging: installs what this build tree has already built
# into CPack's staging directory exactly as CPack's own project install does, but without its
# "preinstall" step, which first builds `all` (every test executable, in a test build).
#   cpack --config B/CPackConfig.cmake -D CPACK_INSTALL_CMAKE_PROJECTS= \
#         -D CPACK_INSTALL_SCRIPTS=packaging/install_built.cmake -D VPS_CPACK_BUILD_DIR=B -B OUT
# CPack runs install scripts with DESTDIR set to the staging directory.
if(NOT IS_DIRECTORY "${VPS_CPACK_BUILD_DIR}")
  message(FATAL_ERROR "install_built: set VPS_CPACK_BUILD_DIR to the build tree (-D VPS_CPACK_BUILD_DIR=B)")
endif()
set(CMAKE_INSTALL_PREFIX "${CPACK_PACKAGING_INSTALL_PREFIX}")
if(CPACK_STRIP_FILES)
  set(CMAKE_INSTALL_DO_STRIP ON)
endif()
include("${VPS_CPACK_BUILD_DIR}/cmake_install.cmake")
