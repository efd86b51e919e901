# cmake -DIN=... -DOUT=... -DCMAKE_INSTALL_FULL_BINDIR=... -DCMAKE_INSTALL_FULL_SYSCONFDIR=...
#       -DHANZO_HMMD_CONFIG_FILE=... -P configure_unit.cmake
# The same configure_file(@ONLY) that systemd/install_unit.cmake runs at install time, with test values.
foreach(v IN ITEMS IN OUT CMAKE_INSTALL_FULL_BINDIR CMAKE_INSTALL_FULL_SYSCONFDIR HANZO_HMMD_CONFIG_FILE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "configure_unit.cmake: -D${v}= is required")
  endif()
endforeach()
configure_file(${IN} ${OUT} @ONLY)
