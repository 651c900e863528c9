# SPDX-License-Identifier: Apache-2.0
# CPack: the Debian package libedgeopt-dev (headers, libedgeopt.a,
# libedgeopt.so, CMake package, edgeopt.pc).  Both library kinds come from
# one build (README, "Installing"):
#   cmake -S . -B build/deb -DCMAKE_INSTALL_PREFIX=/usr -DEDGEOPT_BUILD_STATIC_AND_SHARED=ON \
#         -DEDGEOPT_BUILD_TESTS=OFF -DEDGEOPT_BUILD_TOOLS=OFF
#   cmake --build build/deb -j2 && cpack --config build/deb/CPackConfig.cmake -B build/deb
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME libedgeopt-dev)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "edgeopt")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "torch.optim-compatible optimizers for on-device fine-tuning (C/C++ library)")
set(CPACK_PACKAGE_DESCRIPTION
  "SGD, AdaGrad, RMSprop, AdaDelta, Adam, AdamW, AdaMax, NAdam, RAdam and Lion with torch.optim's rules and defaults; no heap, no exceptions; SIMD kernels bit-identical to a scalar reference. Headers, static and shared libraries, CMake package (edgeopt::edgeopt) and pkg-config file.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "edgeopt developers")
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # libedgeopt-dev_0.1.0_amd64.deb
# The shared library is in this package: refresh the linker cache on install and removal.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/cmake/debian/triggers)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
