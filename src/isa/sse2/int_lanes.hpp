// SPDX-License-Identifier: Apache-2.0
// SSE2's 32-bit integer lanes for kernel/convert.hpp.  SSE2 has no 32-bit
// multiply (pmulld is SSE4.1) nor unsigned 16-bit pack (packusdw, SSE4.1):
// both are built from what it has, exactly.
#pragma once
#include <emmintrin.h>

#include <cstdint>
#include <cstring>

#include "kernel/convert.hpp"

namespace edgeopt::simd {

struct sse2_ivec {
    __m128i v;
    sse2_ivec(std::uint32_t x) : v(_mm_set1_epi32(static_cast<int>(x))) {}
    sse2_ivec(__m128i x) : v(x) {}
};

inline sse2_ivec operator+(sse2_ivec x, sse2_ivec y) { return _mm_add_epi32(x.v, y.v); }
inline sse2_ivec operator-(sse2_ivec x, sse2_ivec y) { return _mm_sub_epi32(x.v, y.v); }
inline sse2_ivec operator&(sse2_ivec x, sse2_ivec y) { return _mm_and_si128(x.v, y.v); }
inline sse2_ivec operator|(sse2_ivec x, sse2_ivec y) { return _mm_or_si128(x.v, y.v); }
inline sse2_ivec operator^(sse2_ivec x, sse2_ivec y) { return _mm_xor_si128(x.v, y.v); }
inline sse2_ivec shl(sse2_ivec x, int n) { return _mm_slli_epi32(x.v, n); }
inline sse2_ivec shr(sse2_ivec x, int n) { return _mm_srli_epi32(x.v, n); }
// Low 32 bits of each product: pmuludq on the even lanes, then on the odd.
inline sse2_ivec mul_lo(sse2_ivec x, sse2_ivec y) {
    const __m128i even = _mm_mul_epu32(x.v, y.v);
    const __m128i odd = _mm_mul_epu32(_mm_srli_epi64(x.v, 32), _mm_srli_epi64(y.v, 32));
    return _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(0, 0, 2, 0)),
                              _mm_shuffle_epi32(odd, _MM_SHUFFLE(0, 0, 2, 0)));
}
inline sse2_ivec less(sse2_ivec x, sse2_ivec y) { return _mm_cmplt_epi32(x.v, y.v); }
inline sse2_ivec equal(sse2_ivec x, sse2_ivec y) { return _mm_cmpeq_epi32(x.v, y.v); }
inline sse2_ivec select(sse2_ivec mask, sse2_ivec x, sse2_ivec y) {
    return _mm_or_si128(_mm_and_si128(mask.v, x.v), _mm_andnot_si128(mask.v, y.v));
}

// Four lanes of at most 16 significant bits to 16-bit halves: sign-extend
// bit 15 so that packssdw's signed saturation leaves every value as it is.
inline __m128i narrow_to_16(__m128i x) {
    const __m128i extended = _mm_srai_epi32(_mm_slli_epi32(x, 16), 16);
    return _mm_packs_epi32(extended, extended);
}

}  // namespace edgeopt::simd

namespace edgeopt::kernel {

template <class Float>
struct sse2_int_lanes {
    using type = simd::sse2_ivec;
    static type bits(Float x) { return _mm_castps_si128(x.b); }
    static Float floats(type x) { return typename Float::batch(_mm_castsi128_ps(x.v)); }
    static Float to_float(type x) { return typename Float::batch(_mm_cvtepi32_ps(x.v)); }
    static type ramp(std::uint32_t first) { return type(first) + type(_mm_setr_epi32(0, 1, 2, 3)); }
    static type load_u16(const std::uint16_t* p) {
        return _mm_unpacklo_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)), _mm_setzero_si128());
    }
    static void store_u16(std::uint16_t* p, type x) {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(p), simd::narrow_to_16(x.v));
    }
    static type load_u8(const std::uint8_t* p) {
        int word;
        std::memcpy(&word, p, sizeof word);
        const __m128i zero = _mm_setzero_si128();
        return _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(word), zero), zero);
    }
    static void store_u8(std::uint8_t* p, type x) {
        const __m128i halves = simd::narrow_to_16(x.v);
        const int word = _mm_cvtsi128_si32(_mm_packus_epi16(halves, halves));
        std::memcpy(p, &word, sizeof word);
    }
};

}  // namespace edgeopt::kernel
