// SPDX-License-Identifier: Apache-2.0
#include "isa/cpu_features.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <cstdint>
#elif defined(__arm__) && defined(__linux__) && defined(EDGEOPT_HAVE_NEONV7)
#include <sys/auxv.h>
#endif

namespace edgeopt::cpu {

#if defined(__x86_64__) || defined(__i386__)

namespace {

std::uint64_t read_xcr0() {
    std::uint32_t eax = 0, edx = 0;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (static_cast<std::uint64_t>(edx) << 32) | eax;
}

}  // namespace

features detect() {
    features f{};
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
    f.sse2 = (edx >> 26) & 1u;
    const bool fma = (ecx >> 12) & 1u;
    const bool f16c = (ecx >> 29) & 1u;  // the AVX2 kernels' f16 conversions
    const bool osxsave = (ecx >> 27) & 1u;
    const bool avx = (ecx >> 28) & 1u;
    if (!osxsave || !avx) return f;
    const std::uint64_t xcr0 = read_xcr0();
    const bool ymm_saved = (xcr0 & 0x6u) == 0x6u;            // SSE and AVX state
    const bool zmm_saved = ymm_saved && (xcr0 & 0xE0u) == 0xE0u; // opmask, ZMM0-15 high, ZMM16-31
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
    f.avx2_fma = ymm_saved && fma && f16c && ((ebx >> 5) & 1u);
    f.avx512f = zmm_saved && ((ebx >> 16) & 1u);
    const unsigned max_subleaf = eax;
    if (f.avx512f && max_subleaf >= 1 && __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx))
        f.avx512_bf16 = (eax >> 5) & 1u;
    return f;
}

#else

// ARM: the toolchain flags say what the core has, except on 32-bit ARM Linux,
// where a distribution build (Debian armhf: -mfpu=vfpv3-d16) still compiles
// the neonv7 kernels with their own flags and the kernel's hardware
// capabilities decide: NEON, and VFPv4 for the fused vfma the kernels use.
features detect() {
    features f{};
#if defined(__aarch64__) && defined(__ARM_NEON)
    f.neon64 = true;
#elif defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)
    f.neonv7 = true;
#elif defined(__arm__) && defined(__linux__) && defined(EDGEOPT_HAVE_NEONV7)
    const unsigned long hwcap = getauxval(AT_HWCAP);
    f.neonv7 = (hwcap & HWCAP_ARM_NEON) && (hwcap & HWCAP_ARM_VFPv4);
#endif
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
    f.helium = true;
#endif
    return f;
}

#endif

}  // namespace edgeopt::cpu
