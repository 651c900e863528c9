// SPDX-License-Identifier: Apache-2.0
// AArch64 NEON kernels (4 floats a vector).  NEON is in the AArch64 baseline:
// no extra flags, and cpu_features.cpp needs no runtime check.
//
// Overrides of the xsimd 8.1 defaults, which are approximations on NEON
// (measured under qemu on 10^6 uniform operands in [0.5, 2): 41% of
// quotients and 34% of roots off by 1 or 2 ulp):
// - ÷: xsimd's neon64 only overrides double; float inherits neon's
//   vrecpeq_f32 estimate + two Newton steps times the dividend.  AArch64 has
//   the IEEE fdiv, vdivq_f32.
// - √: likewise vrsqrteq_f32 + two Newton steps (and √(+inf) = NaN).
//   AArch64's fsqrt, vsqrtq_f32, is IEEE.
// - fma: xsimd's is vfmaq_f32 only #ifdef __ARM_FEATURE_FMA (always defined on
//   AArch64); spelled out here so the single rounding never hangs on a macro.
// What xsimd already does exactly, checked against scalar_ops.hpp: + − × are
// fadd/fsub/fmul; unary − is fneg and abs is fabs (sign-bit operations, so
// −0 and NaN behave as -x and fabs); the comparisons behind maximum() and
// sign() are fcmgt/fcmeq, false for NaN as in C++.  Linux leaves FPCR.FZ and
// FPCR.DN clear, so subnormals are kept, as in the scalar reference.  The
// kernels are therefore bit-identical to the reference (NaN payloads aside).
#include <arm_neon.h>

#include "isa/xsimd_vec.hpp"

namespace edgeopt::simd {

using neon64_vec = vec<xsimd::neon64>;

inline neon64_vec operator/(neon64_vec x, neon64_vec y) { return neon64_vec::batch(vdivq_f32(x.b, y.b)); }
inline neon64_vec sqrt(neon64_vec x) { return neon64_vec::batch(vsqrtq_f32(x.b)); }
inline neon64_vec fma(neon64_vec x, neon64_vec y, neon64_vec z) {
    return neon64_vec::batch(vfmaq_f32(z.b, x.b, y.b));
}

}  // namespace edgeopt::simd

#include "isa/neon_int_lanes.hpp"
#include "kernel/table.hpp"

namespace edgeopt::kernel {

template <>
struct int_lanes<simd::neon64_vec> : neon_int_lanes<simd::neon64_vec> {};

extern const table neon64_table = make_table<simd::neon64_vec>(EDGEOPT_ISA_NEON64);

}  // namespace edgeopt::kernel
