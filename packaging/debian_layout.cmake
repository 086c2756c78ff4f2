# CPack pre-build script: turns the prefix-relative staging tree (<staging>/usr/...) into
# Debian 12's layout before dpkg-deb packs it. Plain `cmake --install` keeps everything under
# the prefix, so a test install never writes to the real /etc or /lib.
#   usr/etc/...            -> etc/...             (conffiles live in /etc)
#   usr/lib/systemd/...    -> lib/systemd/...     (pkg-config systemd: systemdsystemunitdir and
#                                                  systemdsystemgeneratordir are /lib/... on Debian 12)
set(staging "${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
if(NOT IS_DIRECTORY "${staging}/usr")
  message(FATAL_ERROR "debian_layout: no usr/ in staging tree '${staging}' (CPACK_PACKAGING_INSTALL_PREFIX must be /usr)")
endif()

function(vps_move_tree from to)
  if(NOT IS_DIRECTORY "${staging}/${from}")
    return()
  endif()
  get_filename_component(parent "${staging}/${to}" DIRECTORY)
  file(MAKE_DIRECTORY "${parent}")
  if(EXISTS "${staging}/${to}")
    message(FATAL_ERROR "debian_layout: both ${from} and ${to} exist in the staging tree")
  endif()
  file(RENAME "${staging}/${from}" "${staging}/${to}")
endfunction()

vps_move_tree(usr/etc etc)
vps_move_tree(usr/lib/systemd lib/systemd)
# Drop usr/lib if the move emptied it (dpkg-deb would otherwise ship an empty directory).
file(GLOB leftover "${staging}/usr/lib/*")
if(IS_DIRECTORY "${staging}/usr/lib" AND NOT leftover)
  file(REMOVE_RECURSE "${staging}/usr/lib")
endif()
