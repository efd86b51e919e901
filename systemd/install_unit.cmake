# Install-time part of systemd/CMakeLists.txt (which sets HANZO_UNIT_TEMPLATE, HANZO_UNIT_STAGING,
# HANZO_INSTALL_BINDIR and HANZO_CONFIG_FILES). CMAKE_INSTALL_PREFIX is the prefix installed to;
# file(INSTALL) adds DESTDIR (CPack's staging directory) and records the files in the manifest.
set(prefix "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/+$" "" prefix "${prefix}")
if(prefix STREQUAL "/usr" OR prefix STREQUAL "")
  set(etc "/etc")
  set(unit_dir "/lib/systemd/system")
  set(HANZO_HMMD_CONFIG_FILE "\${CONFIGURATION_DIRECTORY}/hanzo-hmmd.toml")
else()
  set(etc "${prefix}/etc")
  set(unit_dir "${prefix}/lib/systemd/system")
  set(HANZO_HMMD_CONFIG_FILE "${etc}/hanzo-hmm/hanzo-hmmd.toml")
endif()
if(IS_ABSOLUTE "${HANZO_INSTALL_BINDIR}")
  set(CMAKE_INSTALL_FULL_BINDIR "${HANZO_INSTALL_BINDIR}")
else()
  set(CMAKE_INSTALL_FULL_BINDIR "${prefix}/${HANZO_INSTALL_BINDIR}")
endif()
set(CMAKE_INSTALL_FULL_SYSCONFDIR "${etc}")
# A directory of its own per destination: two installs at once (CTest runs the install and
# package tests in parallel) each configure their own unit.
string(MD5 tag "$ENV{DESTDIR}|${CMAKE_INSTALL_PREFIX}")
set(staging "${HANZO_UNIT_STAGING}/install-${tag}")
configure_file("${HANZO_UNIT_TEMPLATE}" "${staging}/hanzo-hmmd.service" @ONLY)
file(INSTALL DESTINATION "${unit_dir}" TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
     FILES "${staging}/hanzo-hmmd.service")
file(REMOVE_RECURSE "${staging}")
# Readable by all: the daemon runs as a DynamicUser, which cannot own them.
file(INSTALL DESTINATION "${etc}/hanzo-hmm" TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
     FILES ${HANZO_CONFIG_FILES})
