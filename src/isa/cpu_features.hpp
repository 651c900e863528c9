// SPDX-License-Identifier: Apache-2.0
// What the CPU and the OS let us run.  On x86 AVX needs the OS to save YMM
// (and AVX-512 ZMM/opmask) state on context switch: CPUID alone is not
// enough, XCR0 is read with xgetbv as well.
#pragma once

namespace edgeopt::cpu {

struct features {
    bool sse2, avx2_fma, avx512f, neon64, neonv7, helium;  // avx2_fma: AVX2, FMA and F16C
    bool avx512_bf16;  // vcvtneps2bf16 (with avx512f)
};

features detect();

}  // namespace edgeopt::cpu
