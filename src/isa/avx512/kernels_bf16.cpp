// SPDX-License-Identifier: Apache-2.0
// The AVX-512F table again, with bf16 narrowed by AVX512_BF16's vcvtneps2bf16
// (one instruction for the integer path's nine).  Compiled with -mavx512f
// -mavx512bf16, the only file with the second flag; dispatch.cpp uses this
// table for EDGEOPT_ISA_AVX512 when the CPU has AVX512_BF16 (CPUID leaf 7,
// subleaf 1, EAX bit 5) and it is not switched off (EDGEOPT_NO_AVX512_BF16).
//
// The lane type is vec.hpp's avx512_bf16_vec: its own xsimd architecture, so
// every loop instantiated here is code of its own.
#include "isa/avx512/vec.hpp"
#include "isa/avx512/int_lanes.hpp"
#include "kernel/table.hpp"

namespace edgeopt::kernel {

template <>
struct int_lanes<simd::avx512_bf16_vec> : avx512_int_lanes<simd::avx512_bf16_vec> {};

// vcvtneps2bf16 rounds to nearest even whatever MXCSR says, like
// bf16_narrow, but reads float32 subnormals as zero and keeps a NaN's sign
// and payload.  A vector holding either (rare: optimizer state is normal
// numbers) takes the integer path; the tests force both.  Subnormals are
// found with integer tests: vfpclassps reads them as zero under DAZ (the
// DAZ+FTZ sweep in tests/test_dtype_convert.cpp fails with it).
template <>
struct native_convert<simd::avx512_bf16_vec> : avx512_native_convert<simd::avx512_bf16_vec> {
    static constexpr bool bf16 = true;
    static void narrow_bf16(std::uint16_t* p, simd::avx512_bf16_vec x) {
        const __m512i b = _mm512_castps_si512(x.b);
        const __mmask16 nonzero = _mm512_test_epi32_mask(b, _mm512_set1_epi32(0x7FFFFFFF));
        const __mmask16 exponent = _mm512_test_epi32_mask(b, _mm512_set1_epi32(0x7F800000));
        const __mmask16 nan = _mm512_cmp_ps_mask(x.b, x.b, _CMP_UNORD_Q);
        if (__builtin_expect(((nonzero & ~exponent) | nan) != 0, 0)) {
            int_lanes<simd::avx512_bf16_vec>::store_u16(p, bf16_narrow<simd::avx512_bf16_vec>(x));
            return;
        }
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), (__m256i)_mm512_cvtneps_pbh(x.b));
    }
};

extern const table avx512_bf16_table = make_table<simd::avx512_bf16_vec>(EDGEOPT_ISA_AVX512);

}  // namespace edgeopt::kernel
