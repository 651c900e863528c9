# SPDX-License-Identifier: Apache-2.0
# Cross build for 64-bit ARM Linux with Debian's g++-aarch64-linux-gnu; ctest
# runs every test under qemu-user (apt-get install g++-aarch64-linux-gnu
# qemu-user-static).  Used by the `aarch64` preset in CMakePresets.json.
#
# NEON is part of the AArch64 baseline, so no -march is needed: the
# neon64 kernels (src/isa/neon64) are compiled with the default flags.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# -L: where qemu finds the target's dynamic loader and libraries.
set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-aarch64-static;-L;/usr/aarch64-linux-gnu")

# Libraries and headers come from the target's sysroot only; programs from the
# host.  (xsimd and doctest are header-only and found with
# NO_CMAKE_FIND_ROOT_PATH through a shim folder, see cmake/xsimd.cmake.)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
