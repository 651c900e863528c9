# SPDX-License-Identifier: Apache-2.0
# xsimd is header-only.  Debian's package config references an `xtl` target
# that is not installed, and describes host paths only, so we use the headers
# directly, through a shim folder (cmake/header_shim.cmake) that is safe for
# cross builds.
find_path(EDGEOPT_XSIMD_ROOT xsimd/xsimd.hpp
  HINTS ${XSIMD_ROOT} ENV XSIMD_ROOT
  PATHS /usr/include /usr/local/include
  NO_CMAKE_FIND_ROOT_PATH)
if(NOT EDGEOPT_XSIMD_ROOT)
  message(FATAL_ERROR "xsimd headers not found: apt-get install libxsimd-dev (or set XSIMD_ROOT)")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/header_shim.cmake)
# One header replaced: the aligned allocator, whose `throw` clang refuses
# under -fno-exceptions (see the file's comment).
edgeopt_header_shim(xsimd ${EDGEOPT_XSIMD_ROOT} EDGEOPT_XSIMD_SHIM
  OVERRIDES ${CMAKE_CURRENT_LIST_DIR}/xsimd-overrides)
