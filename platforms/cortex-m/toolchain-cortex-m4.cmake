# SPDX-License-Identifier: Apache-2.0
# Cortex-M4F (FPv4-SP) on QEMU -machine mps2-an386. See toolchain-cortex-m.cmake.
set(CORTEXM_BOARD mps2-an386)
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-cortex-m.cmake")
