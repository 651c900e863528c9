// SPDX-License-Identifier: Apache-2.0
// AVX-512F kernels (16 floats a vector).  Compiled with -mavx512f; only
// reached after dispatch.cpp has seen AVX-512F and OS support for ZMM state.
//
// Overrides of the xsimd defaults:
// - unary minus: xsimd's is 0 − x, wrong for +0 (see below).
// - maximum: the same result in fewer instructions (see below).
// - fma: xsimd 8.1 implements it for avx512f as x*y+z, which -ffp-contract=off
//   leaves unfused; vfmadd213ps is the IEEE fused operation the reference uses.
// - partial vectors: masked loads and stores instead of a stack round trip
//   (masked-off lanes are neither read nor written, so no fault past the end).
#include <immintrin.h>

#include "isa/xsimd_vec.hpp"

namespace edgeopt::simd {

using avx512_vec = vec<xsimd::avx512f>;

inline avx512_vec fma(avx512_vec x, avx512_vec y, avx512_vec z) {
    return avx512_vec::batch(_mm512_fmadd_ps(x.b, y.b, z.b));
}

// xsimd 8.1's avx512f neg is 0 − x, which turns −(+0) into +0 (and is an
// arithmetic operation on NaN); −x is a sign-bit flip, as on every other ISA.
inline avx512_vec operator-(avx512_vec x) {
    const __m512i flipped = _mm512_xor_si512(_mm512_castps_si512(x.b), _mm512_set1_epi32(INT32_MIN));
    return avx512_vec::batch(_mm512_castsi512_ps(flipped));
}

// The generic maximum() (xsimd_vec.hpp) in three instructions instead of
// seven: vmaxps gives x > y ? x : y, its second operand unless the first is
// greater (the scalar rule, ±0 included), and the lanes where either is NaN
// take x + y, as the generic one does.  AdaMax, AMSGrad and Rprop use it.
inline avx512_vec maximum(avx512_vec x, avx512_vec y) {
    const __mmask16 either_nan = _mm512_cmp_ps_mask(x.b, y.b, _CMP_UNORD_Q);
    return avx512_vec::batch(_mm512_mask_add_ps(_mm512_max_ps(x.b, y.b), either_nan, x.b, y.b));
}

}  // namespace edgeopt::simd

namespace edgeopt::kernel {

template <>
struct lanes<simd::avx512_vec> {
    using batch = simd::avx512_vec::batch;
    static constexpr std::size_t width = batch::size;
    static __mmask16 mask(std::size_t count) { return static_cast<__mmask16>((1u << count) - 1u); }
    static simd::avx512_vec load(const float* p) { return batch(_mm512_loadu_ps(p)); }
    static void store(float* p, simd::avx512_vec v) { _mm512_storeu_ps(p, v.b); }
    static simd::avx512_vec load_partial(const float* p, std::size_t count) {
        return batch(_mm512_maskz_loadu_ps(mask(count), p));
    }
    static void store_partial(float* p, simd::avx512_vec v, std::size_t count) {
        _mm512_mask_storeu_ps(p, mask(count), v.b);
    }
};

}  // namespace edgeopt::kernel

#include "isa/avx512/int_lanes.hpp"
#include "kernel/table.hpp"

namespace edgeopt::kernel {

template <>
struct int_lanes<simd::avx512_vec> : avx512_int_lanes<simd::avx512_vec> {};

extern const table avx512_table = make_table<simd::avx512_vec>(EDGEOPT_ISA_AVX512);

}  // namespace edgeopt::kernel
