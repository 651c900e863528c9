// SPDX-License-Identifier: Apache-2.0
// AVX2 + FMA kernels (8 floats a vector).  Compiled with -mavx2 -mfma -mf16c;
// only reached after dispatch.cpp has seen AVX2, FMA, F16C and OS support for
// YMM state.  F16C is required rather than given a table of its own: every
// AVX2 CPU made has it (Intel from Ivy Bridge, AMD from Piledriver), so a
// second table would only add code.
// Every op xsimd provides for fma3<avx2> is IEEE (vfmadd, vsqrtps, vdivps),
// so no override is needed for bit identity; maximum() is overridden for
// speed only.
#include <immintrin.h>

#include "isa/xsimd_vec.hpp"
#include "isa/avx2/int_lanes.hpp"
#include "kernel/table.hpp"

namespace edgeopt::simd {

// The generic maximum() (xsimd_vec.hpp) in four instructions instead of
// seven: vmaxps gives x > y ? x : y, its second operand unless the first is
// greater (the scalar rule, ±0 included), and the lanes where either is NaN
// take x + y, as the generic one does.  AdaMax, AMSGrad and Rprop use it.
inline vec<xsimd::fma3<xsimd::avx2>> maximum(vec<xsimd::fma3<xsimd::avx2>> x, vec<xsimd::fma3<xsimd::avx2>> y) {
    const __m256 either_nan = _mm256_cmp_ps(x.b, y.b, _CMP_UNORD_Q);
    return vec<xsimd::fma3<xsimd::avx2>>::batch(
        _mm256_blendv_ps(_mm256_max_ps(x.b, y.b), _mm256_add_ps(x.b, y.b), either_nan));
}

}  // namespace edgeopt::simd

namespace edgeopt::kernel {

using avx2_vec = simd::vec<xsimd::fma3<xsimd::avx2>>;

template <>
struct int_lanes<avx2_vec> : avx2_int_lanes<avx2_vec> {};
template <>
struct native_convert<avx2_vec> : avx2_native_convert<avx2_vec> {};

extern const table avx2_table = make_table<avx2_vec>(EDGEOPT_ISA_AVX2);

}  // namespace edgeopt::kernel
