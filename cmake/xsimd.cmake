# xsimd is header-only.  Debian's package config references an `xtl` target
# that is not installed, and describes host paths only, so we use the headers
# directly.  For cross builds we must not put the host's /usr/include on the
# include path (its libc headers would shadow the target's): a directory in
# the build tree holding just a link to the xsimd folder is used instead.
find_path(EDGEOPT_XSIMD_ROOT xsimd/xsimd.hpp
  HINTS ${XSIMD_ROOT} ENV XSIMD_ROOT
  PATHS /usr/include /usr/local/include
  NO_CMAKE_FIND_ROOT_PATH)
if(NOT EDGEOPT_XSIMD_ROOT)
  message(FATAL_ERROR "xsimd headers not found: apt-get install libxsimd-dev (or set XSIMD_ROOT)")
endif()
set(EDGEOPT_XSIMD_SHIM ${CMAKE_BINARY_DIR}/xsimd-shim)
file(MAKE_DIRECTORY ${EDGEOPT_XSIMD_SHIM})
if(NOT EXISTS ${EDGEOPT_XSIMD_SHIM}/xsimd)
  file(CREATE_LINK ${EDGEOPT_XSIMD_ROOT}/xsimd ${EDGEOPT_XSIMD_SHIM}/xsimd SYMBOLIC)
endif()
