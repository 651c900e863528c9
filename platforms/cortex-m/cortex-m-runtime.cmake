# SPDX-License-Identifier: Apache-2.0
# Included after every project() call (CMAKE_PROJECT_INCLUDE, set by the
# toolchain): builds startup.c + support.c once and links them into every
# executable created afterwards in this directory tree.
if(TARGET cortexm_runtime OR CMAKE_PROJECT_NAME STREQUAL "CMAKE_TRY_COMPILE")
  return()
endif()
enable_language(C)
add_library(cortexm_runtime STATIC
  "${CMAKE_CURRENT_LIST_DIR}/startup.c"
  "${CMAKE_CURRENT_LIST_DIR}/support.c")
target_include_directories(cortexm_runtime PUBLIC "${CMAKE_CURRENT_LIST_DIR}")
# Optimise the runtime even in Debug builds: the stack painter and the
# semihosting calls should not skew stack measurements of the code under test.
target_compile_options(cortexm_runtime PRIVATE -O2)
# Archives are searched only for undefined symbols: the vector table is
# referenced by EXTERN() in cortex-m-sections.ld, which pulls startup.o in.
link_libraries(cortexm_runtime)

# Every executable runs on QEMU through CMAKE_CROSSCOMPILING_EMULATOR, so
# ctest works in any project built with these toolchains.
enable_testing()
# For edgeopt itself: the host tools and doctest suites need an OS (iostream,
# the heap, directory listing); tests/firmware replaces them on the boards.
# Cache defaults, so -DEDGEOPT_BUILD_TESTS=ON still wins. (The library's
# EDGEOPT_FREESTANDING option, no getenv, defaults on for bare metal itself.)
set(EDGEOPT_BUILD_TOOLS OFF CACHE BOOL "Build edgeopt-replay and the demo")
set(EDGEOPT_BUILD_TESTS OFF CACHE BOOL "Build the test suite")
