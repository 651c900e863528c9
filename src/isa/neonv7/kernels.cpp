// SPDX-License-Identifier: Apache-2.0
// ARMv7-A NEON kernels (4 floats a vector), compiled with -mfpu=neon-vfpv4;
// built only for A-profile cores with VFPv4 (cmake/isa.cmake), and available
// when the build targets NEON (cpu_features.cpp).
//
// ARMv7 NEON is not IEEE: it has no vector ÷ or √, and its arithmetic uses
// the "standard FPSCR value" whatever FPSCR says: subnormal operands and
// results are flushed to zero, NaNs come out as the default NaN.  The scalar
// VFP unit is IEEE.  These kernels are nevertheless bit-identical to the
// reference on every input (NaN payloads aside):
//
// - + − × and fma (vfma.f32, VFPv4: one rounding) and the comparisons run on
//   NEON; they give the reference's bits unless an operand or result is
//   subnormal.  −x and |x| are sign-bit operations and never flush.
// - ÷ and √ run per lane on VFP (vdiv.f32, vsqrt.f32), which is IEEE.
// - NEON reports every flush in FPSCR's cumulative flags: IDC for an operand,
//   UFC for a result (ARM ARM: FPUnpack / FPRoundFZ under the standard FPSCR
//   value, exceptions untrapped).  After each vector the loop below reads
//   FPSCR; if either flag is up, that vector's results are dropped and its
//   lanes are recomputed by the scalar reference on VFP from the inputs,
//   which are still in memory.  tests/test_kernels.cpp sweeps subnormal data
//   and hyper-parameters; without this check it fails at once (SGD).
//   For the check to see every flush, update() must do no arithmetic on
//   coefficients alone (it would be hoisted out of the loop); per-step
//   scalars belong in at_step() anyway.
//
// Exactness versus speed.  The alternative is xsimd 8.1's NEON ÷ and √ (a
// reciprocal or reciprocal-root estimate plus two Newton steps), without the
// check: it fails the bit-identity sweep on ordinary data (AdaGrad, first
// vector), not only on subnormals.  Executed instructions per element
// (qemu-arm -singlestep, 4096 floats, steps 3 minus step 1, torch's default
// options, SGD with lr 0.01).  The first four columns were measured with
// driver.hpp's earlier loop, which tested every state slot per vector; the
// last is this file with the compile-time variants that replaced it:
//
//               this file  same, unchecked  xsimd ÷ √  scalar reference  this file now
//   sgd            7.0          3.0            3.0          28.0             3.1
//   adagrad       10.6          9.8           14.8          34.1             7.6
//   rmsprop       12.8         12.1           18.8          45.1             8.1
//   adadelta      14.3         13.6           23.6          46.1            11.8
//   adam          15.6         14.6           20.6          48.1            12.6
//   adamax        13.1         12.3           12.6          49.1             9.8
//   nadam         15.7         14.9           20.9          44.2            13.2
//   radam         12.5         11.5           10.9          38.0            10.1
//   lion           5.8          4.8            4.8          35.1             5.8
//
// Instructions are not cycles: vdiv.f32 and vsqrt.f32 are iterative (VFP11:
// one per 15 cycles; Cortex-A cores are of that order), where the Newton
// steps are pipelined NEON operations, so on hardware Adam's ÷ and √ may cost
// several times the Newton sequences' cycles (the scalar reference pays the
// same ÷ and √).  And vmrs waits for the vector's arithmetic to finish
// (control-register moves serialize), which matters most for SGD and Lion.
// Exactness was chosen: the library's contract is the same bits on every
// ISA.  Not yet measured on hardware.
#include <arm_neon.h>

#include <cstdint>

#include "isa/xsimd_vec.hpp"
#include "kernel/table.hpp"

namespace edgeopt::simd {

using neonv7_vec = vec<xsimd::neon>;

// NEON's vfma.f32 (VFPv4) rounds once.  xsimd uses it too, but only
// #ifdef __ARM_FEATURE_FMA; spelled out so it never silently becomes a*b+c.
inline neonv7_vec fma(neonv7_vec x, neonv7_vec y, neonv7_vec z) {
    return neonv7_vec::batch(vfmaq_f32(z.b, x.b, y.b));
}

// ÷ and √ lane by lane on VFP.  s0-s31 alias q0-q7, so with the operands
// pinned there each lane is one vdiv.f32/vsqrt.f32 in place; written through
// vgetq_lane/vsetq_lane instead, GCC 12 moves every lane through a core
// register and back (two NEON<->ARM transfers a lane).
inline neonv7_vec operator/(neonv7_vec x, neonv7_vec y) {
    register float32x4_t dividend __asm__("q0") = x.b;
    register float32x4_t divisor __asm__("q1") = y.b;
    register float32x4_t quotient __asm__("q2");
    __asm__("vdiv.f32 s8, s0, s4\n\tvdiv.f32 s9, s1, s5\n\tvdiv.f32 s10, s2, s6\n\tvdiv.f32 s11, s3, s7"
            : "=w"(quotient)
            : "w"(dividend), "w"(divisor));
    return neonv7_vec::batch(quotient);
}

inline neonv7_vec sqrt(neonv7_vec x) {
    register float32x4_t operand __asm__("q0") = x.b;
    register float32x4_t root __asm__("q1");
    __asm__("vsqrt.f32 s4, s0\n\tvsqrt.f32 s5, s1\n\tvsqrt.f32 s6, s2\n\tvsqrt.f32 s7, s3" : "=w"(root) : "w"(operand));
    return neonv7_vec::batch(root);
}

// GCC 12 spells vnegq_f32, vcgtq_f32 and vcltq_f32 as generic vector
// operators, and without -ffast-math it refuses NEON float arithmetic for
// those on ARMv7 (NEON flushes subnormals) and emits four VFP operations
// (plus a vmrs per comparison) instead.  Right, but slow: these are NEON.
// Negation is a sign-bit flip (like vneg, it never flushes).
inline neonv7_vec operator-(neonv7_vec x) {
    const uint32x4_t sign_bit = vdupq_n_u32(0x80000000u);
    return neonv7_vec::batch(vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(x.b), sign_bit)));
}

namespace {

uint32x4_t greater(float32x4_t x, float32x4_t y) {
    uint32x4_t mask;
    __asm__("vcgt.f32 %q0, %q1, %q2" : "=w"(mask) : "w"(x), "w"(y));
    return mask;
}

}  // namespace

// The rule of xsimd_vec.hpp's maximum (x > y ? x : y, NaN if either is); a
// flushed comparison is caught by the FPSCR check like any other.
inline neonv7_vec maximum(neonv7_vec x, neonv7_vec y) {
    const uint32x4_t both_numbers = vandq_u32(vceqq_f32(x.b, x.b), vceqq_f32(y.b, y.b));
    const float32x4_t larger = vbslq_f32(greater(x.b, y.b), x.b, y.b);
    return neonv7_vec::batch(vbslq_f32(both_numbers, larger, vaddq_f32(x.b, y.b)));
}

// 1, −1 or 0 (also for NaN), as the reference.
inline neonv7_vec sign(neonv7_vec x) {
    const float32x4_t zero = vdupq_n_f32(0.0f);
    const uint32x4_t positive = greater(x.b, zero), negative = greater(zero, x.b);
    const uint32x4_t one = vreinterpretq_u32_f32(vdupq_n_f32(1.0f));
    const uint32x4_t minus_one = vreinterpretq_u32_f32(vdupq_n_f32(-1.0f));
    const uint32x4_t bits = vorrq_u32(vandq_u32(positive, one), vandq_u32(negative, minus_one));
    return neonv7_vec::batch(vreinterpretq_f32_u32(bits));
}

}  // namespace edgeopt::simd

namespace edgeopt::kernel {

namespace {

using simd::neonv7_vec;

// FPSCR cumulative flags: UFC (bit 3), a result was flushed to zero (or a VFP
// result underflowed); IDC (bit 7), a subnormal input was flushed to zero.
constexpr std::uint32_t flushed_flags = (1u << 3) | (1u << 7);

std::uint32_t read_fpscr() {
    std::uint32_t value;
    __asm__ volatile("vmrs %0, fpscr" : "=r"(value) : : "memory");
    return value;
}

void write_fpscr(std::uint32_t value) { __asm__ volatile("vmsr fpscr, %0" : : "r"(value) : "memory"); }

// The compiler sees no link between NEON arithmetic and FPSCR.  A vector's
// arithmetic cannot start before the flags were last cleared: it needs its
// loads, which cannot move above write_fpscr's memory clobber nor above the
// (not inlined) fallback.  Nor can the flags be read before it is done: the
// read takes every result as an operand.
std::uint32_t fpscr_after(float32x4_t a, float32x4_t b, float32x4_t c, float32x4_t d) {
    std::uint32_t value;
    __asm__ volatile("vmrs %0, fpscr" : "=r"(value) : "w"(a), "w"(b), "w"(c), "w"(d));
    return value;
}

// driver.hpp's update_block, plus the check: `count` lanes at offset i.
template <class Opt, unsigned Variant, bool Partial>
bool checked_block(const typename Opt::coeffs& c, const tensor_streams& t, std::size_t i, std::size_t count) {
    using L = lanes<neonv7_vec>;
    auto load = [count](const float* p) { if constexpr (Partial) return L::load_partial(p, count); else return L::load(p); };
    auto store = [count](float* p, neonv7_vec v) { if constexpr (Partial) L::store_partial(p, v, count); else L::store(p, v); };
    neonv7_vec p = load(t.param + i), g = load(t.grad + i);
    neonv7_vec s[max_slots]{};
    for_each_slot<Variant>([&](unsigned k) { s[k] = load(t.state[k] + i); });
    Opt::template update<Variant>(c, p, g, s);
    if (fpscr_after(p.b, s[0].b, s[1].b, s[2].b) & flushed_flags) return false;
    store(t.param + i, p);
    for_each_slot<Variant>([&](unsigned k) { store(t.state[k] + i, s[k]); });
    return true;
}

// The scalar reference (VFP, IEEE) on `count` lanes at offset i; returns the
// underflow flag it raised, and leaves both flags clear.
template <class Opt, unsigned Variant>
__attribute__((noinline)) std::uint32_t reference_block(const typename Opt::coeffs& c, const tensor_streams& t,
                                                        std::size_t i, std::size_t count) {
    tensor_streams part{t.param + i, t.grad + i, {}, count};
    for_each_slot<Variant>([&](unsigned k) { part.state[k] = t.state[k] + i; });
    run_variant<float, Opt, Variant>(c, part);
    const std::uint32_t now = read_fpscr();
    write_fpscr(now & ~flushed_flags);
    return now & (1u << 3);
}

// Whole vectors from offset i while NEON flushes nothing; returns where it
// stopped (a vector to redo, or the tail).  Kept free of the fallback so the
// loop stays small enough for GCC to unswitch it on the options the variant
// leaves to run time, as it does driver.hpp's loop.
template <class Opt, unsigned Variant>
std::size_t checked_vectors(const typename Opt::coeffs& c, const tensor_streams& t, std::size_t i) {
    constexpr std::size_t width = lanes<neonv7_vec>::width;
    for (; i + width <= t.length; i += width)
        if (!checked_block<Opt, Variant, false>(c, t, i, width)) break;
    return i;
}

// driver.hpp's run_variant, checked.
template <class Opt, unsigned Variant>
void checked_run_variant(const typename Opt::coeffs& coeffs, const tensor_streams& streams) {
    // Local copies as in driver.hpp's run_variant(), so the coefficients, their
    // broadcasts and the pointers stay in registers.  The rare fallback gets
    // the caller's objects: were these copies' addresses to escape into it,
    // GCC would reload them (and test every option) on every vector.
    const typename Opt::coeffs c = coeffs;
    const tensor_streams t = streams;
    constexpr std::size_t width = lanes<neonv7_vec>::width;
    // The caller's flags are put back at the end, with any underflow the
    // reference raised; the flags NEON raised (and was overruled on) are not.
    const std::uint32_t entry = read_fpscr();
    std::uint32_t raised = entry & flushed_flags;
    write_fpscr(entry & ~flushed_flags);
    std::size_t i = 0;
    while ((i = checked_vectors<Opt, Variant>(c, t, i)) + width <= t.length) {
        raised |= reference_block<Opt, Variant>(coeffs, streams, i, width);
        i += width;
    }
    if (i < t.length && !checked_block<Opt, Variant, true>(c, t, i, t.length - i))
        raised |= reference_block<Opt, Variant>(coeffs, streams, i, t.length - i);
    write_fpscr(read_fpscr() | raised);
}

template <class Opt>
void checked_run(const typename Opt::coeffs& coeffs, const tensor_streams& streams) {
    visit_variant<Opt>(coeffs, [&](auto variant) {
        checked_run_variant<Opt, decltype(variant)::value>(coeffs, streams);
    });
}

}  // namespace

}  // namespace edgeopt::kernel

// Low-precision tensors and state: typed_checked_run().
#include "isa/neonv7/typed.hpp"

namespace edgeopt::kernel {

// The table holds the checked loops, never driver.hpp's unchecked ones.
struct checked_loops {
    template <class Opt>
    static constexpr kernel_fn<Opt> float32() { return &checked_run<Opt>; }
    template <class Opt>
    static constexpr typed_fn<Opt> typed() { return &typed_checked_run<Opt>; }
    static constexpr conversions convert() { return conversions_of<neonv7_vec>(); }
};

extern const table neonv7_table = make_table_of<checked_loops>(EDGEOPT_ISA_NEONV7);

}  // namespace edgeopt::kernel
