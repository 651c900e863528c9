// SPDX-License-Identifier: Apache-2.0
// Narrow storage types, written once for every lane type: what a kernel does
// to widen bf16, f16 and 8-bit codes to float32 on load and to narrow float32
// results on store.  Like the optimizer maths, each function is a template
// over a float lane type V (float for the reference, a SIMD vector in
// src/isa/) and its integer twin I = int_lanes<V>::type, 32-bit lanes with
//   + − & | ^, shl(x, n), shr(x, n) (logical), mul_lo(x, y),
//   less(x, y) and equal(x, y) (signed compare, a mask), select(mask, x, y),
// and int_lanes<V>::bits / floats (reinterpret) and to_float (int32 → float);
// min_signed / max_signed default to less and select.  Where the CPU converts
// in one instruction, native_convert<V> (at the end) replaces these functions
// in the loop, with the same bits.
//
// Everything is integer arithmetic except a few float operations chosen to
// be exact whatever the ISA: int → float on values below 2^24, multiplies by
// powers of two and by a block scale whose products stay normal, and one add
// of a "magic" constant that makes the FPU round to nearest even for us.  So
// each kernel gives the reference's bits, and the flush-to-zero units (ARMv7
// NEON, Helium) give them too: every float operation here either sees only
// normal values or gives the same result when a subnormal input is flushed.
#pragma once
#include <cstdint>

#include "kernel/scalar_ops.hpp"

namespace edgeopt::kernel {

// The integer twin of a float lane type; specialised per ISA.
template <class V>
struct int_lanes;

// The reference's: one uint32_t.
inline std::uint32_t shl(std::uint32_t x, int n) { return x << n; }
inline std::uint32_t shr(std::uint32_t x, int n) { return x >> n; }
inline std::uint32_t mul_lo(std::uint32_t x, std::uint32_t y) { return x * y; }
inline bool less(std::uint32_t x, std::uint32_t y) {
    return static_cast<std::int32_t>(x) < static_cast<std::int32_t>(y);
}
inline bool equal(std::uint32_t x, std::uint32_t y) { return x == y; }
inline std::uint32_t select(bool m, std::uint32_t x, std::uint32_t y) { return m ? x : y; }

// Signed minimum, from less and select where an ISA has no instruction for
// it (SSE2: pminsd is SSE4.1); x86 and NEON lanes overload it with one.
template <class I>
I min_signed(I x, I y) {
    return select(less(y, x), y, x);
}
template <class I>
I max_signed(I x, I y) {
    return select(less(x, y), y, x);
}

template <>
struct int_lanes<float> {
    using type = std::uint32_t;
    static std::uint32_t bits(float x) {
        std::uint32_t b;
        __builtin_memcpy(&b, &x, sizeof b);
        return b;
    }
    static float floats(std::uint32_t b) {
        float x;
        __builtin_memcpy(&x, &b, sizeof x);
        return x;
    }
    static float to_float(std::uint32_t x) { return static_cast<float>(static_cast<std::int32_t>(x)); }
    static std::uint32_t ramp(std::uint32_t first) { return first; }
    static std::uint32_t load_u16(const std::uint16_t* p) {
        std::uint16_t h;
        __builtin_memcpy(&h, p, sizeof h);  // user buffers need not be 2-byte aligned
        return h;
    }
    static void store_u16(std::uint16_t* p, std::uint32_t x) {
        const auto h = static_cast<std::uint16_t>(x);
        __builtin_memcpy(p, &h, sizeof h);
    }
    static std::uint32_t load_u8(const std::uint8_t* p) { return *p; }
    static void store_u8(std::uint8_t* p, std::uint32_t x) { *p = static_cast<std::uint8_t>(x); }
};

// --- bfloat16: float32's top half ------------------------------------------

template <class V>
V bf16_widen(typename int_lanes<V>::type h) {
    return int_lanes<V>::floats(shl(h, 16));
}

// Round to nearest even; NaN becomes the canonical quiet NaN 0x7FC0 (as
// torch's c10::BFloat16); overflow rounds to ±Inf.
template <class V, class I = typename int_lanes<V>::type>
I bf16_narrow(V x) {
    const I b = int_lanes<V>::bits(x);
    const I lsb = shr(b, 16) & I(1u);
    const I rounded = shr(b + I(0x7FFFu) + lsb, 16);
    const auto nan = less(I(0x7F800000u), b & I(0x7FFFFFFFu));
    return select(nan, I(0x7FC0u), rounded);
}

// Stochastic rounding: add 16 random bits below the kept ones, truncate.  A
// value rounds away from zero with probability (dropped bits) / 2^16.
template <class V, class I = typename int_lanes<V>::type>
I bf16_narrow_stochastic(V x, I random) {
    const I b = int_lanes<V>::bits(x);
    const I rounded = shr(b + (random & I(0xFFFFu)), 16);
    const auto nan = less(I(0x7F800000u), b & I(0x7FFFFFFFu));
    return select(nan, I(0x7FC0u), rounded);
}

// --- IEEE binary16 -----------------------------------------------------------

// Exact.  Normal and Inf/NaN halves move their bits (rebiasing the exponent);
// subnormal halves are m·2^-24, formed as an exact int → float and multiply.
template <class V>
V f16_widen(typename int_lanes<V>::type h) {
    using L = int_lanes<V>;
    using I = typename L::type;
    const I sign = shl(h & I(0x8000u), 16);
    const I magnitude = h & I(0x7FFFu);
    const I exponent = magnitude & I(0x7C00u);
    const I rebias = I(112u << 23);  // 127 − 15
    const I normal = shl(magnitude, 13) + rebias + select(equal(exponent, I(0x7C00u)), rebias, I(0u));
    const I subnormal = L::bits(L::to_float(magnitude) * V(5.9604644775390625e-8f));  // 2^-24
    return L::floats(sign | select(equal(exponent, I(0u)), subnormal, normal));
}

// Round to nearest even (the FPU does it for results below 2^-14: adding 0.5,
// whose ulp is 2^-24, rounds |x| to a multiple of the smallest subnormal
// half); ±Inf on overflow; NaN becomes the quiet NaN 0x7E00 whatever its
// sign and payload (which differ between ISAs' default NaNs).
template <class V, class I = typename int_lanes<V>::type>
I f16_narrow(V x) {
    using L = int_lanes<V>;
    const I b = L::bits(x);
    const I sign = shr(b & I(0x80000000u), 16);
    const I a = b & I(0x7FFFFFFFu);
    const I lsb = shr(a, 13) & I(1u);
    const I normal = shr(a + I((15u - 127u) << 23) + I(0xFFFu) + lsb, 13);  // wraps for small a: not selected
    const V half(0.5f);
    const I subnormal = L::bits(L::floats(a) + half) - L::bits(half);
    I h = select(less(a, I(113u << 23)), subnormal, normal);  // below 2^-14
    h = select(less(a, I(143u << 23)), h, I(0x7C00u));         // 2^16 and up: Inf
    return select(less(I(0x7F800000u), a), I(0x7E00u), h | sign);
}

// --- 8-bit block codes ------------------------------------------------------
// A code is sign (bit 7) and a 7-bit magnitude e·8 + m read as a tiny float
// relative to the block's scale s (its largest |value|):
//   e ≥ 1: (1 + m/8)·2^(e−15)·s      e = 0: m·2^-17·s
// so 1.0 (e = 15, m = 0) is the block maximum, values down to 2^-17 of it
// keep a code, and each has 3 significant bits (relative error ≤ 1/16).

// The magnitude code of |x|, x = value/scale with |x| in [0, 1] (codes
// saturate at 127; NaN and Inf give 127).  Round to nearest even, again with
// the FPU doing it below 2^-14: 64 + |x| rounds |x| to a multiple of 2^-17.
// Every code before saturation is below 2^12, so a signed minimum saturates.
template <class V, class I = typename int_lanes<V>::type>
I q8_encode_magnitude(V x) {
    using L = int_lanes<V>;
    const I a = L::bits(x) & I(0x7FFFFFFFu);
    const I lsb = shr(a, 20) & I(1u);
    const I normal = shr(a + lsb + I(((15u - 127u) << 23) + 0x7FFFFu), 20);  // wraps for small a: not selected
    const V magic(64.0f);
    const I subnormal = L::bits(L::floats(a) + magic) - L::bits(magic);
    return min_signed(select(less(a, I(113u << 23)), subnormal, normal), I(127u));
}

// value · inverse_scale encoded with value's sign; NaN as 127 whatever its
// sign (ISAs' default NaNs differ in it).  The sign bit is set for values
// whose bits, read as a signed integer, are at most −Inf's: every negative
// number, −0 and −Inf, but no NaN, so NaN needs no test of its own.
template <class V, class I = typename int_lanes<V>::type>
I q8_encode(V value, V inverse_scale) {
    const I code = q8_encode_magnitude<V>(value * inverse_scale);
    return select(less(int_lanes<V>::bits(value), I(0xFF800001u)), code | I(0x80u), code);
}

template <class V>
V q8_decode(typename int_lanes<V>::type code, V scale) {
    using L = int_lanes<V>;
    using I = typename L::type;
    const I sign = shl(code & I(0x80u), 24);
    const I magnitude = code & I(0x7Fu);
    const I normal = shl(magnitude, 20) + I(112u << 23);
    const I subnormal = L::bits(L::to_float(magnitude) * V(7.62939453125e-6f));  // 2^-17
    const I unit = select(less(magnitude, I(8u)), subnormal, normal);
    return L::floats(unit | sign) * scale;
}

// --- conversions in hardware -------------------------------------------------
// An ISA whose CPU converts in one instruction specialises this, and the loop
// (typed_driver.hpp) then loads and stores through it instead of the integer
// functions above:
//   f16:  V widen_f16(const uint16_t*), void narrow_f16(uint16_t*, V),
//         V decode_q8(const uint8_t*, V scale) (a code is a half with three
//         mantissa bits: sign, e·8 + m shifted to bit 7);
//   bf16: void narrow_bf16(uint16_t*, V);
//   block_max: uint32_t max_lane(I), the largest lane as a signed integer.
// Each gives the integer functions' bits, with one documented exception: a
// signalling-NaN half widens to a quiet NaN (bit 22 set; the integer path
// keeps it signalling).  tests/test_dtype_convert.cpp sweeps every path.
template <class V>
struct native_convert {
    static constexpr bool f16 = false, bf16 = false, block_max = false;
};

// --- counter-based random bits ----------------------------------------------
// A 32-bit integer hash (xor-shift-multiply, constants from Wellons'
// "lowbias32" search) applied twice: bits for element `index` of a tensor
// from a key the step derives from (seed, step, tensor).  No state, so every
// kernel, any chunking and a resumed run draw the same bits for an element.
template <class I>
I hash32(I x) {
    x = x ^ shr(x, 16);
    x = mul_lo(x, I(0x7FEB352Du));
    x = x ^ shr(x, 15);
    x = mul_lo(x, I(0x846CA68Bu));
    return x ^ shr(x, 16);
}

struct random_key {
    std::uint32_t first, second;

    // Formed once per tensor per step.
    static random_key of(std::uint64_t seed, std::uint64_t step, std::uint64_t tensor) {
        auto low = [](std::uint64_t x) { return static_cast<std::uint32_t>(x); };
        const std::uint32_t tensor_key = hash32(low(tensor) ^ hash32(low(tensor >> 32) + 0x9E3779B9u));
        const std::uint32_t first = hash32(low(seed) ^ hash32(low(seed >> 32) ^ tensor_key));
        return {first, hash32(low(step) ^ hash32(low(step >> 32) + first))};
    }
};

template <class I>
I random_bits(I index, random_key key) {
    return hash32(hash32(index + I(key.first)) ^ I(key.second));
}

}  // namespace edgeopt::kernel
