# SPDX-License-Identifier: Apache-2.0
# One function adds the SIMD kernel files the target architecture can run.
# Each src/isa/<name>/kernels.cpp is compiled with that ISA's flags alone and
# announced to dispatch.cpp with EDGEOPT_HAVE_<NAME>.
set(EDGEOPT_ARCH "${CMAKE_SYSTEM_PROCESSOR}")
string(TOLOWER "${EDGEOPT_ARCH}" EDGEOPT_ARCH)

# 32-bit ARM covers Cortex-M too (CMAKE_SYSTEM_PROCESSOR "arm"), where GCC
# accepts -mfpu=neon-vfpv4 and even defines __ARM_NEON: only an A-profile
# ARMv7+ target whose float ABI allows NEON gets the neonv7 kernels.
if(EDGEOPT_ARCH MATCHES "^(arm|armv7.*)$")
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "-mfpu=neon-vfpv4")
  check_cxx_source_compiles([[
#include <arm_neon.h>
#if !defined(__ARM_NEON) || !defined(__ARM_FEATURE_FMA) || __ARM_ARCH_PROFILE != 'A' || __ARM_ARCH < 7
#error "not an A-profile core with NEON and VFPv4"
#endif
int main() { return vgetq_lane_f32(vfmaq_f32(vdupq_n_f32(1.0f), vdupq_n_f32(2.0f), vdupq_n_f32(3.0f)), 0) == 7.0f ? 0 : 1; }
]] EDGEOPT_ARM_A_PROFILE_NEON)
  unset(CMAKE_REQUIRED_FLAGS)
endif()

function(edgeopt_isa_source target name flags)
  set(file ${PROJECT_SOURCE_DIR}/src/isa/${name}/kernels.cpp)
  target_sources(${target} PRIVATE ${file})
  set_source_files_properties(${file} PROPERTIES COMPILE_OPTIONS "${flags}")
  string(TOUPPER ${name} upper)
  target_compile_definitions(${target} PRIVATE EDGEOPT_HAVE_${upper})
endfunction()

function(edgeopt_add_isa_kernels target)
  target_include_directories(${target} PRIVATE ${EDGEOPT_XSIMD_SHIM})
  if(EDGEOPT_ARCH MATCHES "^(x86_64|amd64|i[3-6]86)$")
    edgeopt_isa_source(${target} sse2 "-msse2")
    edgeopt_isa_source(${target} avx2 "-mavx2;-mfma;-mf16c")
    # GCC 12 warns falsely on _mm512_sqrt_ps's internal _mm512_undefined_ps
    # (clang has no -Wmaybe-uninitialized, and warns of the unknown option).
    edgeopt_isa_source(${target} avx512 "-mavx512f;$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>;$<$<CXX_COMPILER_ID:GNU>:-Wno-uninitialized>")
    # The same table with AVX512_BF16's bf16 narrowing (dispatch.cpp checks CPUID).
    set(file ${PROJECT_SOURCE_DIR}/src/isa/avx512/kernels_bf16.cpp)
    target_sources(${target} PRIVATE ${file})
    set_source_files_properties(${file} PROPERTIES COMPILE_OPTIONS
      "-mavx512f;-mavx512bf16;$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>;$<$<CXX_COMPILER_ID:GNU>:-Wno-uninitialized>")
    target_compile_definitions(${target} PRIVATE EDGEOPT_HAVE_AVX512_BF16)
  elseif(EDGEOPT_ARCH MATCHES "^(aarch64|arm64)$")
    edgeopt_isa_source(${target} neon64 "")
  elseif(EDGEOPT_ARCH MATCHES "^(arm|armv7.*)$" AND EDGEOPT_ARM_A_PROFILE_NEON)
    # -fno-math-errno: std::sqrt in the file's scalar fallback is then a bare
    # vsqrt.f32, with no errno branch (and vmrs) after it; same IEEE root.
    edgeopt_isa_source(${target} neonv7 "-mfpu=neon-vfpv4;-fno-math-errno")
  elseif(EDGEOPT_ARCH STREQUAL "arm")
    # Cortex-M55 (Helium, MVE with floats): the target's own -mcpu decides.
    check_cxx_source_compiles([[
#include <arm_mve.h>
#if !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2))
#error "no MVE floating point"
#endif
int main() { return vgetq_lane_f32(vdupq_n_f32(1.0f), 0) == 1.0f ? 0 : 1; }
]] EDGEOPT_ARM_MVE_FLOAT)
    if(EDGEOPT_ARM_MVE_FLOAT)
      # GCC 12.2 gives MVE load/store intrinsics a 4-byte memory footprint
      # (16 are accessed), so DSE and the schedulers may drop or reorder
      # stores around the predicated tail: see src/isa/helium/kernels.cpp.
      edgeopt_isa_source(${target} helium "-fno-dse;-fno-schedule-insns;-fno-schedule-insns2")
    endif()
  endif()
endfunction()
