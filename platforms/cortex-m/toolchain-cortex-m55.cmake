# SPDX-License-Identifier: Apache-2.0
# Cortex-M55 with Helium (MVE-F) on QEMU -machine mps3-an547. See toolchain-cortex-m.cmake.
set(CORTEXM_BOARD mps3-an547)
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-cortex-m.cmake")
