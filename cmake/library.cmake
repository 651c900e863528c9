# SPDX-License-Identifier: Apache-2.0
# One library target (STATIC or SHARED) made from edgeopt_objects; both kinds
# are named libedgeopt and carry the same usage requirements.
include(GNUInstallDirs)

function(edgeopt_library name kind)
  # Nothing a toolchain or parent added with link_libraries() (our Cortex-M
  # board runtime does, for its executables) joins the library's link
  # interface: the exported target would name a target that is not installed.
  get_property(directory_libraries DIRECTORY PROPERTY LINK_LIBRARIES)
  set_property(DIRECTORY PROPERTY LINK_LIBRARIES "")
  add_library(${name} ${kind} $<TARGET_OBJECTS:edgeopt_objects>)
  set_property(DIRECTORY PROPERTY LINK_LIBRARIES "${directory_libraries}")
  set_target_properties(${name} PROPERTIES OUTPUT_NAME edgeopt)
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  # edgeopt.hpp is C++17; the C headers need only C99 (tests/headers).
  target_compile_features(${name} PUBLIC cxx_std_17)
  if(EDGEOPT_LIBM)
    # By name, not the path found here, so the exported target stays relocatable.
    target_link_libraries(${name} PUBLIC m)
  endif()
  if(kind STREQUAL "SHARED")
    set_target_properties(${name} PROPERTIES
      VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
    # Export the C API and our namespace only, never what the objects pull
    # in from the C++ runtime's headers.
    target_link_options(${name} PRIVATE
      -Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/edgeopt.map -Wl,--no-undefined)
    set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/edgeopt.map)
  endif()
endfunction()
