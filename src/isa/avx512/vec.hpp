// SPDX-License-Identifier: Apache-2.0
// The AVX-512F lane types, shared by kernels.cpp and kernels_bf16.cpp (the
// same loops with AVX512_BF16's narrowing).
//
// Overrides of the xsimd defaults:
// - unary minus: xsimd's is 0 − x, wrong for +0 (see below).
// - maximum: the same result in fewer instructions (see below).
// - fma: xsimd 8.1 implements it for avx512f as x*y+z, which -ffp-contract=off
//   leaves unfused; vfmadd213ps is the IEEE fused operation the reference uses.
// - partial vectors: masked loads and stores instead of a stack round trip
//   (masked-off lanes are neither read nor written, so no fault past the end).
#pragma once
#include <immintrin.h>

#include "isa/xsimd_vec.hpp"

// kernels_bf16.cpp's lanes run on an xsimd architecture of their own: AVX-512F's
// registers and xsimd kernels under another name (as xsimd's fma3<avx2> is
// avx2's), so that its loops are separate instantiations, never merged with
// kernels.cpp's ones, which must run on CPUs without AVX512_BF16.
namespace xsimd {

struct edgeopt_avx512_bf16 : avx512f {
    static constexpr char const* name() noexcept { return "avx512f+bf16"; }
};

namespace types {
XSIMD_DECLARE_SIMD_REGISTER_ALIAS(edgeopt_avx512_bf16, avx512f);
template <class T>
struct get_bool_simd_register<T, edgeopt_avx512_bf16> {
    using type = simd_avx512_bool_register<T>;
};
}  // namespace types

}  // namespace xsimd

namespace edgeopt::simd {

using avx512_vec = vec<xsimd::avx512f>;
using avx512_bf16_vec = vec<xsimd::edgeopt_avx512_bf16>;

template <class V>
V avx512_fma(V x, V y, V z) {
    return typename V::batch(_mm512_fmadd_ps(x.b, y.b, z.b));
}
inline avx512_vec fma(avx512_vec x, avx512_vec y, avx512_vec z) { return avx512_fma(x, y, z); }
inline avx512_bf16_vec fma(avx512_bf16_vec x, avx512_bf16_vec y, avx512_bf16_vec z) { return avx512_fma(x, y, z); }

// xsimd 8.1's avx512f neg is 0 − x, which turns −(+0) into +0 (and is an
// arithmetic operation on NaN); −x is a sign-bit flip, as on every other ISA.
template <class V>
V avx512_negate(V x) {
    const __m512i flipped = _mm512_xor_si512(_mm512_castps_si512(x.b), _mm512_set1_epi32(INT32_MIN));
    return typename V::batch(_mm512_castsi512_ps(flipped));
}
inline avx512_vec operator-(avx512_vec x) { return avx512_negate(x); }
inline avx512_bf16_vec operator-(avx512_bf16_vec x) { return avx512_negate(x); }

// The generic maximum() (xsimd_vec.hpp) in three instructions instead of
// seven: vmaxps gives x > y ? x : y, its second operand unless the first is
// greater (the scalar rule, ±0 included), and the lanes where either is NaN
// take x + y, as the generic one does.  AdaMax, AMSGrad and Rprop use it.
template <class V>
V avx512_maximum(V x, V y) {
    const __mmask16 either_nan = _mm512_cmp_ps_mask(x.b, y.b, _CMP_UNORD_Q);
    return typename V::batch(_mm512_mask_add_ps(_mm512_max_ps(x.b, y.b), either_nan, x.b, y.b));
}
inline avx512_vec maximum(avx512_vec x, avx512_vec y) { return avx512_maximum(x, y); }
inline avx512_bf16_vec maximum(avx512_bf16_vec x, avx512_bf16_vec y) { return avx512_maximum(x, y); }

}  // namespace edgeopt::simd

namespace edgeopt::kernel {

template <class V>
struct avx512_lanes {
    using batch = typename V::batch;
    static constexpr std::size_t width = batch::size;
    static __mmask16 mask(std::size_t count) { return static_cast<__mmask16>((1u << count) - 1u); }
    static V load(const float* p) { return batch(_mm512_loadu_ps(p)); }
    static void store(float* p, V v) { _mm512_storeu_ps(p, v.b); }
    static V load_partial(const float* p, std::size_t count) { return batch(_mm512_maskz_loadu_ps(mask(count), p)); }
    static void store_partial(float* p, V v, std::size_t count) { _mm512_mask_storeu_ps(p, mask(count), v.b); }
};

template <>
struct lanes<simd::avx512_vec> : avx512_lanes<simd::avx512_vec> {};
template <>
struct lanes<simd::avx512_bf16_vec> : avx512_lanes<simd::avx512_bf16_vec> {};

}  // namespace edgeopt::kernel
