// SPDX-License-Identifier: Apache-2.0
// Helium (Armv8.1-M MVE-F) kernels, 4 floats a vector, for the Cortex-M55.
// Compiled only for a target with __ARM_FEATURE_MVE & 2 (cmake/isa.cmake);
// the core always has it, so dispatch.cpp needs no run-time check.
//
// ÷ and √: MVE has neither.  They run lane by lane on the scalar FPU
// (vdiv.f32 / vsqrt.f32, IEEE, so the reference's bits), not as an estimate
// plus Newton steps in MVE.  Measured with the QEMU instruction counter
// (platforms/cortex-m/budgets.sh), instructions per parameter per step,
// per-lane vs Newton (3 steps from a bit-trick estimate, plus one residual
// correction, which is still not correctly rounded in every case):
//   Adam 18.5 vs 30.75, AdaGrad 11.5 vs 23.5, AdaDelta 17.25 vs 39,
//   RMSprop 14.75 vs 27 (scalar reference on the M55: 51, 38, 51, 46).
// Newton loses even on instruction count: MVE has no reciprocal estimate,
// and its constants spill from the 8 Q registers.  QEMU does not model
// cycles; vdiv/vsqrt are iterative (14 cycles on the Cortex-M4), so on
// silicon the gap narrows, but exactness decided it.
//
// What is not the reference's: every MVE float operation (+ − × fma and the
// comparisons in maximum() and sign()) uses the Standard FPSCR value, which
// flushes subnormal operands and results to zero and returns the default
// NaN, whatever FPSCR.FZ says (seen on QEMU 7.2); the scalar FPU keeps
// subnormals.  Hence the contract, tested on the board by
// tests/firmware/sweep.cpp:
//   - bit-identical to the scalar reference (NaN payloads aside) whenever no
//     operand or result of those operations is subnormal, e.g. on data whose
//     values and products stay 0 or above 2^-126 in magnitude;
//   - always bit-identical to the reference evaluated with flush-to-zero
//     +, −, ×, fma and comparisons and IEEE ÷, √, −x, |x|
//     (tests/firmware/ftz_model.hpp), which is what these kernels compute.
// So edgeopt_isa_bit_exact(EDGEOPT_ISA_HELIUM) stays false.
//
// GCC 12.2 gives MVE load/store intrinsics a 4-byte memory footprint; the
// predicated tail relies on -fno-dse -fno-schedule-insns(2), which
// cmake/isa.cmake adds to this file, and full vectors move as 16-byte copies.
#include <arm_mve.h>

#include <cstdint>

#include "kernel/driver.hpp"

#if !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2))
#error "src/isa/helium needs a target with MVE floating point (e.g. -mcpu=cortex-m55)"
#endif

namespace edgeopt::simd {

struct helium_vec {
    float32x4_t v;
    helium_vec() = default;
    helium_vec(float x) : v(vdupq_n_f32(x)) {}
    helium_vec(float32x4_t x) : v(x) {}
};

inline helium_vec operator+(helium_vec x, helium_vec y) { return vaddq_f32(x.v, y.v); }
inline helium_vec operator-(helium_vec x, helium_vec y) { return vsubq_f32(x.v, y.v); }
inline helium_vec operator*(helium_vec x, helium_vec y) { return vmulq_f32(x.v, y.v); }
inline helium_vec operator-(helium_vec x) { return vnegq_f32(x.v); }
inline helium_vec abs(helium_vec x) { return vabsq_f32(x.v); }
// vfmaq_f32(a, b, c) is a + b·c with one rounding.
inline helium_vec fma(helium_vec x, helium_vec y, helium_vec z) { return vfmaq_f32(z.v, x.v, y.v); }

// Lane by lane on the scalar FPU, which reads and writes the Q registers'
// lanes as S registers (q0 = s0..s3).  Written in assembly because GCC 12
// moves each lane through a core register instead: 7 instructions a lane
// for ÷ where this takes 1, plus the moves into q0-q2.
inline helium_vec operator/(helium_vec x, helium_vec y) {
    register float32x4_t dividend asm("q0") = x.v;
    register float32x4_t divisor asm("q1") = y.v;
    register float32x4_t quotient asm("q2");
    asm("vdiv.f32 s8, s0, s4\n\tvdiv.f32 s9, s1, s5\n\t"
        "vdiv.f32 s10, s2, s6\n\tvdiv.f32 s11, s3, s7"
        : "=w"(quotient)
        : "w"(dividend), "w"(divisor));
    return helium_vec(float32x4_t{quotient});
}

inline helium_vec sqrt(helium_vec x) {
    register float32x4_t operand asm("q0") = x.v;
    register float32x4_t root asm("q1");
    asm("vsqrt.f32 s4, s0\n\tvsqrt.f32 s5, s1\n\tvsqrt.f32 s6, s2\n\tvsqrt.f32 s7, s3"
        : "=w"(root)
        : "w"(operand));
    return helium_vec(float32x4_t{root});
}

// x > y ? x : y lane by lane (the scalar rule, ±0 included), NaN if either is.
inline helium_vec maximum(helium_vec x, helium_vec y) {
    const mve_pred16_t either_nan = vcmpneq_f32(x.v, x.v) | vcmpneq_f32(y.v, y.v);
    const float32x4_t larger = vpselq_f32(x.v, y.v, vcmpgtq_f32(x.v, y.v));
    return vpselq_f32(vaddq_f32(x.v, y.v), larger, either_nan);
}

// 1, −1 or 0 (also for NaN), like torch.sign.
inline helium_vec sign(helium_vec x) {
    const float32x4_t zero = vdupq_n_f32(0.0f);
    const float32x4_t negative = vpselq_f32(vdupq_n_f32(-1.0f), zero, vcmpltq_f32(x.v, zero));
    return vpselq_f32(vdupq_n_f32(1.0f), negative, vcmpgtq_f32(x.v, zero));
}

}  // namespace edgeopt::simd

namespace edgeopt::kernel {

// Full vectors through plain 16-byte copies (GCC then knows their size);
// the tail through tail-predicated vldrw/vstrw, which neither read nor write
// the inactive lanes.
template <>
struct lanes<simd::helium_vec> {
    static constexpr std::size_t width = 4;
    static simd::helium_vec load(const float* p) {
        float32x4_t v;
        __builtin_memcpy(&v, p, sizeof v);
        return v;
    }
    static void store(float* p, simd::helium_vec v) { __builtin_memcpy(p, &v.v, sizeof v.v); }
    static simd::helium_vec load_partial(const float* p, std::size_t count) {
        return vldrwq_z_f32(p, vctp32q(static_cast<std::uint32_t>(count)));
    }
    static void store_partial(float* p, simd::helium_vec v, std::size_t count) {
        vstrwq_p_f32(p, v.v, vctp32q(static_cast<std::uint32_t>(count)));
    }
};

}  // namespace edgeopt::kernel

#include "isa/helium/int_lanes.hpp"
#include "kernel/table.hpp"

namespace edgeopt::kernel {

extern const table helium_table = make_table<simd::helium_vec>(EDGEOPT_ISA_HELIUM);

}  // namespace edgeopt::kernel
