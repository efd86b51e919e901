# What `cmake --install` puts where, and the Debian packages CPack makes of it.
#
# Components: "runtime" (the default: programs, unit, configs, dashboards, rules, schemas, docs)
# and "dev" (headers, static libraries, the CMake package for find_package(hanzo-hmm)).
# `cmake --install` installs both; `cpack -G DEB` makes hanzo-hmm and hanzo-hmm-dev.
# The daemon's own layers (daemon, kafka, loadgen, actors) are internal to hanzo-hmmd: neither
# their libraries nor their headers are installed.

set(HANZO_DATADIR ${CMAKE_INSTALL_DATADIR}/hanzo-hmm)
set(HANZO_RUNBOOK_URL "" CACHE STRING
    "runbook_url base of the installed alert rules (default: file://PREFIX/share/doc/hanzo-hmm/runbook.md)")

# ---- dev: headers, libraries, CMake package ----------------------------------------------
install(TARGETS hanzo_hmm hanzo_hmm_io hanzo_hmm_config hanzo_hmm_market hanzo_hmm_tenant hanzo_hmm_routing
                hanzo_hmm_wire hanzo_hmm_mm hanzo_hmm_sim EXPORT hanzo-hmm-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY include/hanzo DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
        PATTERN daemon EXCLUDE PATTERN kafka EXCLUDE PATTERN loadgen EXCLUDE)
install(EXPORT hanzo-hmm-targets NAMESPACE hanzo:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hanzo-hmm COMPONENT dev)
configure_package_config_file(cmake/hanzo-hmm-config.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/hanzo-hmm-config.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hanzo-hmm)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/hanzo-hmm-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/hanzo-hmm-config.cmake ${CMAKE_CURRENT_BINARY_DIR}/hanzo-hmm-config-version.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hanzo-hmm COMPONENT dev)

# ---- runtime: monitoring, schemas, pristine configs, docs -----------------------------------
# (Programs: src/cli, src/hmmd. Unit and /etc configs: systemd/.)
install(FILES config/grafana/hanzo-hmmd.json DESTINATION ${HANZO_DATADIR}/grafana COMPONENT runtime)
install(FILES config/prometheus/prometheus.yml config/prometheus/alerts_test.yml config/prometheus/metrics.txt
        DESTINATION ${HANZO_DATADIR}/prometheus COMPONENT runtime)
# alerts.yml with its runbook_url pointing where the runbook is installed (or HANZO_RUNBOOK_URL).
install(CODE "
  set(url \"${HANZO_RUNBOOK_URL}\")
  if(url STREQUAL \"\")
    set(url \"file://\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}/runbook.md\")
    string(REPLACE \"file:////\" \"file:///\" url \"\${url}\")
  endif()
  file(READ \"${PROJECT_SOURCE_DIR}/config/prometheus/alerts.yml\" rules)
  string(REPLACE \"file:///usr/share/doc/hanzo-hmm/runbook.md\" \"\${url}\" rules \"\${rules}\")
  string(MD5 tag \"\$ENV{DESTDIR}|\${CMAKE_INSTALL_PREFIX}\")  # a directory per destination: parallel installs do not share it
  set(staging \"${CMAKE_CURRENT_BINARY_DIR}/install-\${tag}\")
  file(WRITE \"\${staging}/alerts.yml\" \"\${rules}\")
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${HANZO_DATADIR}/prometheus\" TYPE FILE
       FILES \"\${staging}/alerts.yml\")
  file(REMOVE_RECURSE \"\${staging}\")
" COMPONENT runtime)
install(DIRECTORY config/schemas/ DESTINATION ${HANZO_DATADIR}/schemas COMPONENT runtime)
# The shipped defaults, to compare an edited /etc/hanzo-hmm/ file with.
install(FILES config/hanzo-hmmd.toml config/hanzo-hmm.toml DESTINATION ${HANZO_DATADIR}/config COMPONENT runtime)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime FILES_MATCHING PATTERN "*.md")

# ---- Debian packages (cpack -G DEB) ----------------------------------------------------------
# Built from any build tree: CPack installs under /usr (unit in /lib/systemd/system, configs in
# /etc/hanzo-hmm/ as conffiles) whatever CMAKE_INSTALL_PREFIX was. Runtime dependencies come
# from dpkg-shlibdeps on the programs (dpkg-dev).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hanzo-hmm)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(HANZO_PACKAGE_CONTACT "hanzo-hmm maintainers <maintainers@localhost>" CACHE STRING "Debian Maintainer field")
set(CPACK_PACKAGE_CONTACT "${HANZO_PACKAGE_CONTACT}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # NAME_VERSION-RELEASE_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME hanzo-hmm)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_SOURCE_DIR}/cmake/debian/conffiles
    ${CMAKE_CURRENT_SOURCE_DIR}/cmake/debian/postinst ${CMAKE_CURRENT_SOURCE_DIR}/cmake/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/cmake/debian/postrm)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The package's synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; these are the extended texts.
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "hanzo-hmmd (the Kafka daemon, with its systemd unit and configuration), the hanzo-hmm CLI,
the Grafana dashboard, Prometheus alert rules and an example scrape config, the JSON Schemas
of the wire formats, and the operator documentation.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME hanzo-hmm-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# find_package(hanzo-hmm) finds these (hanzo-hmm-config.cmake.in).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libboost-json1.81-dev, libtomlplusplus-dev")
set(CPACK_DEBIAN_DEV_DESCRIPTION "Development files: headers, static libraries and the CMake package (find_package(hanzo-hmm)) of the HMM core
and the MarketMaker layers.")
include(CPack)
