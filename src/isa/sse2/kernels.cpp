// SPDX-License-Identifier: Apache-2.0
// SSE2 kernels (4 floats a vector), for x86 CPUs without AVX2+FMA; SSE2 is
// the x86-64 baseline, so these need no extra flags.
//
// SSE2 has no fused multiply-add, and a*b + c with two roundings differs
// from the reference by up to hundreds of ulps after cancellation (measured
// on tests' data: 297 ulp for RAdam with weight decay).  So fma is emulated
// exactly in double precision:
//   - a·b is exact in double (24 + 24 significant bits ≤ 53);
//   - a·b + c is rounded to odd in double: round to nearest, then, if the
//     error (TwoSum) is non-zero and the result's last bit is even, step one
//     ulp towards the exact value;
//   - rounding that to float is the correctly rounded fma (Boldo & Melquiond,
//     "Emulation of FMA and correctly rounded sums: proved algorithms using
//     rounding to odd", 2008: 53 ≥ 24 + 2 bits suffice).
// The kernels are therefore bit-identical to the reference, at about 3× the
// cost of an unfused multiply-add (README, "Performance").
#include <emmintrin.h>

#include "isa/xsimd_vec.hpp"

namespace edgeopt::simd {

using sse2_vec = vec<xsimd::sse2>;

namespace {

// a·b + c for two lanes in double, rounded to odd.
__m128d fma_round_to_odd(__m128d a, __m128d b, __m128d c) {
    const __m128d product = _mm_mul_pd(a, b);  // exact
    const __m128d sum = _mm_add_pd(product, c);
    // TwoSum: error = (product + c) − sum, exactly.
    const __m128d c_part = _mm_sub_pd(sum, product);
    const __m128d error = _mm_add_pd(_mm_sub_pd(product, _mm_sub_pd(sum, c_part)), _mm_sub_pd(c, c_part));
    // Inexact (error non-zero, and not NaN from an infinite sum) with an even last bit.
    const __m128d inexact = _mm_and_pd(_mm_cmpneq_pd(error, _mm_setzero_pd()), _mm_cmpord_pd(error, error));
    const __m128i bits = _mm_castpd_si128(sum);
    const __m128i odd = _mm_sub_epi64(_mm_setzero_si128(), _mm_and_si128(bits, _mm_set1_epi64x(1)));
    const __m128i adjust = _mm_andnot_si128(odd, _mm_castpd_si128(inexact));
    // One ulp away from zero if the error has the sum's sign, towards zero otherwise.
    const __m128i signs_differ = _mm_srli_epi64(_mm_xor_si128(bits, _mm_castpd_si128(error)), 63);
    const __m128i step = _mm_sub_epi64(_mm_set1_epi64x(1), _mm_slli_epi64(signs_differ, 1));
    return _mm_castsi128_pd(_mm_add_epi64(bits, _mm_and_si128(step, adjust)));
}

}  // namespace

inline sse2_vec fma(sse2_vec x, sse2_vec y, sse2_vec z) {
    const __m128 a = x.b, b = y.b, c = z.b;
    const __m128 low = _mm_cvtpd_ps(fma_round_to_odd(_mm_cvtps_pd(a), _mm_cvtps_pd(b), _mm_cvtps_pd(c)));
    const __m128 high = _mm_cvtpd_ps(fma_round_to_odd(_mm_cvtps_pd(_mm_movehl_ps(a, a)),
                                                      _mm_cvtps_pd(_mm_movehl_ps(b, b)),
                                                      _mm_cvtps_pd(_mm_movehl_ps(c, c))));
    return sse2_vec::batch(_mm_movelh_ps(low, high));
}

}  // namespace edgeopt::simd

#include "isa/sse2/int_lanes.hpp"
#include "kernel/table.hpp"

namespace edgeopt::kernel {

template <>
struct int_lanes<simd::sse2_vec> : sse2_int_lanes<simd::sse2_vec> {};

extern const table sse2_table = make_table<simd::sse2_vec>(EDGEOPT_ISA_SSE2);

}  // namespace edgeopt::kernel
