// SPDX-License-Identifier: Apache-2.0
// NEON's 32-bit integer lanes for kernel/convert.hpp, shared by the AArch64
// and ARMv7 kernels (the same intrinsics exist on both).  Shifts go through
// vshlq with a register count (negative shifts right) so that they need no
// immediate.  Integer NEON is exact on ARMv7 too: only its float arithmetic
// flushes subnormals.
#pragma once
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernel/convert.hpp"

namespace edgeopt::simd {

struct neon_ivec {
    uint32x4_t v;
    neon_ivec(std::uint32_t x) : v(vdupq_n_u32(x)) {}
    neon_ivec(uint32x4_t x) : v(x) {}
};

inline neon_ivec operator+(neon_ivec x, neon_ivec y) { return vaddq_u32(x.v, y.v); }
inline neon_ivec operator-(neon_ivec x, neon_ivec y) { return vsubq_u32(x.v, y.v); }
inline neon_ivec operator&(neon_ivec x, neon_ivec y) { return vandq_u32(x.v, y.v); }
inline neon_ivec operator|(neon_ivec x, neon_ivec y) { return vorrq_u32(x.v, y.v); }
inline neon_ivec operator^(neon_ivec x, neon_ivec y) { return veorq_u32(x.v, y.v); }
inline neon_ivec shl(neon_ivec x, int n) { return vshlq_u32(x.v, vdupq_n_s32(n)); }
inline neon_ivec shr(neon_ivec x, int n) { return vshlq_u32(x.v, vdupq_n_s32(-n)); }
inline neon_ivec mul_lo(neon_ivec x, neon_ivec y) { return vmulq_u32(x.v, y.v); }
inline neon_ivec less(neon_ivec x, neon_ivec y) {
    return vcltq_s32(vreinterpretq_s32_u32(x.v), vreinterpretq_s32_u32(y.v));
}
inline neon_ivec equal(neon_ivec x, neon_ivec y) { return vceqq_u32(x.v, y.v); }
inline neon_ivec select(neon_ivec mask, neon_ivec x, neon_ivec y) { return vbslq_u32(mask.v, x.v, y.v); }

}  // namespace edgeopt::simd

namespace edgeopt::kernel {

template <class Float>
struct neon_int_lanes {
    using type = simd::neon_ivec;
    static type bits(Float x) { return vreinterpretq_u32_f32(x.b); }
    static Float floats(type x) { return typename Float::batch(vreinterpretq_f32_u32(x.v)); }
    static Float to_float(type x) { return typename Float::batch(vcvtq_f32_s32(vreinterpretq_s32_u32(x.v))); }
    static type ramp(std::uint32_t first) {
        const std::uint32_t offsets[4] = {0, 1, 2, 3};
        return type(first) + type(vld1q_u32(offsets));
    }
    static type load_u16(const std::uint16_t* p) { return vmovl_u16(vld1_u16(p)); }
    static void store_u16(std::uint16_t* p, type x) { vst1_u16(p, vmovn_u32(x.v)); }
    static type load_u8(const std::uint8_t* p) {
        std::uint32_t word;
        std::memcpy(&word, p, sizeof word);
        return vmovl_u16(vget_low_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(word)))));
    }
    static void store_u8(std::uint8_t* p, type x) {
        const uint16x4_t halves = vmovn_u32(x.v);
        const uint8x8_t bytes = vmovn_u16(vcombine_u16(halves, halves));
        const std::uint32_t word = vget_lane_u32(vreinterpret_u32_u8(bytes), 0);
        std::memcpy(p, &word, sizeof word);
    }
};

}  // namespace edgeopt::kernel
