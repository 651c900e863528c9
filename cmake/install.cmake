# SPDX-License-Identifier: Apache-2.0
# install(): the library kinds built, the public headers, one export set
# (edgeopt::edgeopt), edgeoptConfig.cmake + edgeoptConfigVersion.cmake and
# edgeopt.pc.  Everything is relative to the prefix, so
# `cmake --install build --prefix DIR` gives a tree that works wherever it lands.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(EDGEOPT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/edgeopt
    CACHE STRING "Where edgeoptConfig.cmake is installed (relative to the prefix)")

# The hosted thread pool (edgeopt/pool.h) is edgeopt::pool for consumers too.
if(TARGET edgeopt_pool)
  set_target_properties(edgeopt_pool PROPERTIES EXPORT_NAME pool)
  list(APPEND EDGEOPT_EXPORTED_TARGETS edgeopt_pool)
  set(EDGEOPT_CONFIG_NEEDS_THREADS ON)
else()
  set(EDGEOPT_CONFIG_NEEDS_THREADS OFF)
endif()
install(TARGETS ${EDGEOPT_EXPORTED_TARGETS} EXPORT edgeoptTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/edgeopt DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/edgeopt/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/edgeopt)
install(EXPORT edgeoptTargets NAMESPACE edgeopt:: DESTINATION ${EDGEOPT_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/edgeoptConfig.cmake.in
  ${PROJECT_BINARY_DIR}/edgeoptConfig.cmake INSTALL_DESTINATION ${EDGEOPT_INSTALL_CMAKEDIR})
# The library is built for one architecture, so the version file also checks
# the pointer size (a 32-bit consumer does not pick a 64-bit install).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/edgeoptConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/edgeoptConfig.cmake ${PROJECT_BINARY_DIR}/edgeoptConfigVersion.cmake
  DESTINATION ${EDGEOPT_INSTALL_CMAKEDIR})

# pkg-config: the prefix is found from the .pc file's own folder (${pcfiledir}).
file(RELATIVE_PATH EDGEOPT_PC_TO_PREFIX /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
configure_file(${PROJECT_SOURCE_DIR}/cmake/edgeopt.pc.in ${PROJECT_BINARY_DIR}/edgeopt.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/edgeopt.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
