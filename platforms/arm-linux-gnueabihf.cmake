# SPDX-License-Identifier: Apache-2.0
# Cross build for 32-bit ARMv7-A Linux (hard-float ABI, NEON with VFPv4 fused
# multiply-add) with Debian's g++-arm-linux-gnueabihf; ctest runs every test
# under qemu-user (apt-get install g++-arm-linux-gnueabihf qemu-user-static).
# Used by the `armv7` preset in CMakePresets.json.
#
# The whole build targets -mfpu=neon-vfpv4, so scalar code may use VFPv4's
# fused vfma.f32 for std::fma.  The neonv7 kernels (src/isa/neonv7) need it too.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)  # as `uname -m` says on the target

set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
set(_armv7_flags "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard")
# 64-bit file offsets and inode numbers.  Under qemu-user on a 64-bit host the
# kernel hands the guest 64-bit directory offsets, and 32-bit readdir() then
# fails with EOVERFLOW: test_golden saw an empty tests/golden/cases.
set(CMAKE_C_FLAGS_INIT "${_armv7_flags} -D_FILE_OFFSET_BITS=64")
set(CMAKE_CXX_FLAGS_INIT "${_armv7_flags} -D_FILE_OFFSET_BITS=64")

# -L: where qemu finds the target's dynamic loader and libraries.  qemu's
# default CPU for 32-bit ARM ("any") implements NEON and VFPv4.
set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-arm-static;-L;/usr/arm-linux-gnueabihf")

# Libraries and headers come from the target's sysroot only; programs from the
# host.  (xsimd and doctest are header-only and found with
# NO_CMAKE_FIND_ROOT_PATH through a shim folder, see cmake/xsimd.cmake.)
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
