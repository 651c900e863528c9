// SPDX-License-Identifier: Apache-2.0
// Helium's 32-bit integer lanes for kernel/convert.hpp.  MVE compares into a
// predicate register and selects with vpsel; its widening loads (vldrh.u32,
// vldrb.u32) and narrowing stores (vstrh.32, vstrb.32) move 16- and 8-bit
// values straight to and from 32-bit lanes.  Integer MVE is exact; the few
// float operations of the conversions are flush-safe (kernel/convert.hpp).
#pragma once
#include <arm_mve.h>

#include <cstdint>

#include "kernel/convert.hpp"

namespace edgeopt::simd {

struct helium_ivec {
    uint32x4_t v;
    helium_ivec(std::uint32_t x) : v(vdupq_n_u32(x)) {}
    helium_ivec(uint32x4_t x) : v(x) {}
};

inline helium_ivec operator+(helium_ivec x, helium_ivec y) { return vaddq_u32(x.v, y.v); }
inline helium_ivec operator-(helium_ivec x, helium_ivec y) { return vsubq_u32(x.v, y.v); }
inline helium_ivec operator&(helium_ivec x, helium_ivec y) { return vandq_u32(x.v, y.v); }
inline helium_ivec operator|(helium_ivec x, helium_ivec y) { return vorrq_u32(x.v, y.v); }
inline helium_ivec operator^(helium_ivec x, helium_ivec y) { return veorq_u32(x.v, y.v); }
inline helium_ivec shl(helium_ivec x, int n) { return vshlq_u32(x.v, vdupq_n_s32(n)); }
inline helium_ivec shr(helium_ivec x, int n) { return vshlq_u32(x.v, vdupq_n_s32(-n)); }
inline helium_ivec mul_lo(helium_ivec x, helium_ivec y) { return vmulq_u32(x.v, y.v); }
inline mve_pred16_t less(helium_ivec x, helium_ivec y) {
    return vcmpltq_s32(vreinterpretq_s32_u32(x.v), vreinterpretq_s32_u32(y.v));
}
inline mve_pred16_t equal(helium_ivec x, helium_ivec y) { return vcmpeqq_u32(x.v, y.v); }
inline helium_ivec select(mve_pred16_t mask, helium_ivec x, helium_ivec y) { return vpselq_u32(x.v, y.v, mask); }

}  // namespace edgeopt::simd

namespace edgeopt::kernel {

template <>
struct int_lanes<simd::helium_vec> {
    using type = simd::helium_ivec;
    static type bits(simd::helium_vec x) { return vreinterpretq_u32_f32(x.v); }
    static simd::helium_vec floats(type x) { return vreinterpretq_f32_u32(x.v); }
    static simd::helium_vec to_float(type x) { return vcvtq_f32_s32(vreinterpretq_s32_u32(x.v)); }
    static type ramp(std::uint32_t first) { return vidupq_n_u32(first, 1); }
    static type load_u16(const std::uint16_t* p) { return vldrhq_u32(p); }
    static void store_u16(std::uint16_t* p, type x) { vstrhq_u32(p, x.v); }
    static type load_u8(const std::uint8_t* p) { return vldrbq_u32(p); }
    static void store_u8(std::uint8_t* p, type x) { vstrbq_u32(p, x.v); }
};

}  // namespace edgeopt::kernel
