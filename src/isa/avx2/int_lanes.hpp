// SPDX-License-Identifier: Apache-2.0
// AVX2's 32-bit integer lanes for kernel/convert.hpp, and its F16C
// conversions (every AVX2 CPU has F16C; dispatch.cpp requires it).
#pragma once
#include <immintrin.h>

#include <cstdint>

#include "kernel/convert.hpp"

namespace edgeopt::simd {

struct avx2_ivec {
    __m256i v;
    avx2_ivec(std::uint32_t x) : v(_mm256_set1_epi32(static_cast<int>(x))) {}
    avx2_ivec(__m256i x) : v(x) {}
};

inline avx2_ivec operator+(avx2_ivec x, avx2_ivec y) { return _mm256_add_epi32(x.v, y.v); }
inline avx2_ivec operator-(avx2_ivec x, avx2_ivec y) { return _mm256_sub_epi32(x.v, y.v); }
inline avx2_ivec operator&(avx2_ivec x, avx2_ivec y) { return _mm256_and_si256(x.v, y.v); }
inline avx2_ivec operator|(avx2_ivec x, avx2_ivec y) { return _mm256_or_si256(x.v, y.v); }
inline avx2_ivec operator^(avx2_ivec x, avx2_ivec y) { return _mm256_xor_si256(x.v, y.v); }
inline avx2_ivec shl(avx2_ivec x, int n) { return _mm256_slli_epi32(x.v, n); }
inline avx2_ivec shr(avx2_ivec x, int n) { return _mm256_srli_epi32(x.v, n); }
inline avx2_ivec mul_lo(avx2_ivec x, avx2_ivec y) { return _mm256_mullo_epi32(x.v, y.v); }
inline avx2_ivec less(avx2_ivec x, avx2_ivec y) { return _mm256_cmpgt_epi32(y.v, x.v); }
inline avx2_ivec equal(avx2_ivec x, avx2_ivec y) { return _mm256_cmpeq_epi32(x.v, y.v); }
inline avx2_ivec select(avx2_ivec mask, avx2_ivec x, avx2_ivec y) { return _mm256_blendv_epi8(y.v, x.v, mask.v); }
inline avx2_ivec min_signed(avx2_ivec x, avx2_ivec y) { return _mm256_min_epi32(x.v, y.v); }
inline avx2_ivec max_signed(avx2_ivec x, avx2_ivec y) { return _mm256_max_epi32(x.v, y.v); }

// Eight lanes of at most 16 significant bits, packed in order (packusdw works
// within 128-bit halves, so pack the halves).
inline __m128i narrow_to_16(__m256i x) {
    return _mm_packus_epi32(_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1));
}

}  // namespace edgeopt::simd

namespace edgeopt::kernel {

template <class Float>
struct avx2_int_lanes {
    using type = simd::avx2_ivec;
    static type bits(Float x) { return _mm256_castps_si256(x.b); }
    static Float floats(type x) { return typename Float::batch(_mm256_castsi256_ps(x.v)); }
    static Float to_float(type x) { return typename Float::batch(_mm256_cvtepi32_ps(x.v)); }
    static type ramp(std::uint32_t first) { return type(first) + type(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
    static type load_u16(const std::uint16_t* p) {
        return _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    }
    static void store_u16(std::uint16_t* p, type x) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p), simd::narrow_to_16(x.v));
    }
    static type load_u8(const std::uint8_t* p) {
        return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
    }
    static void store_u8(std::uint8_t* p, type x) {
        const __m128i halves = simd::narrow_to_16(x.v);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packus_epi16(halves, halves));
    }
};

// F16C.  vcvtph2ps and vcvtps2ph (immediate: round to nearest even) ignore
// MXCSR's DAZ and FTZ for the halves they read and write, and a float32
// subnormal narrows to ±0 whether DAZ reads it as zero or not, so the bits
// never depend on MXCSR (tests/test_dtype_convert.cpp checks with both set).
template <class Float>
struct avx2_native_convert {
    static constexpr bool f16 = true, bf16 = true, block_max = true;
    static Float widen_f16(const std::uint16_t* p) {
        return typename Float::batch(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
    }
    // NaN first becomes 0x7FC00000, which narrows to the integer path's 0x7E00
    // (vcvtps2ph would keep the sign and the payload's top bits).
    static void narrow_f16(std::uint16_t* p, Float x) {
        const __m256 nan = _mm256_cmp_ps(x.b, x.b, _CMP_UNORD_Q);
        const __m256 quiet = _mm256_blendv_ps(x.b, _mm256_castsi256_ps(_mm256_set1_epi32(0x7FC00000)), nan);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_cvtps_ph(quiet, _MM_FROUND_TO_NEAREST_INT));
    }
    // bf16 has no AVX2 instruction, but bf16_narrow's integer steps take 8
    // operations instead of 10 here: NaN found by one float compare, the
    // canonical NaN blended in above the kept half, and the kept halves
    // gathered by a byte shuffle and a lane permute instead of shift + pack.
    static void narrow_bf16(std::uint16_t* p, Float x) {
        const __m256i b = _mm256_castps_si256(x.b);
        const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(b, 16), _mm256_set1_epi32(1));
        const __m256i rounded = _mm256_add_epi32(_mm256_add_epi32(b, _mm256_set1_epi32(0x7FFF)), lsb);
        const __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(x.b, x.b, _CMP_UNORD_Q));
        const __m256i kept = _mm256_blendv_epi8(rounded, _mm256_set1_epi32(0x7FC00000), nan);
        const __m256i high = _mm256_shuffle_epi8(
            kept, _mm256_setr_epi8(2, 3, 6, 7, 10, 11, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1,  //
                                   2, 3, 6, 7, 10, 11, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1));
        const __m256i ordered = _mm256_permute4x64_epi64(high, _MM_SHUFFLE(3, 1, 2, 0));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(ordered));
    }
    // A code sign-extended to 16 bits and shifted left 7 is the half with its
    // sign (bit 15), e·8 + m in bits 7-13, and a copy of the sign in bit 14,
    // cleared; the half's value is the code's unit, exactly.
    static Float decode_q8(const std::uint8_t* p, Float scale) {
        const __m128i codes = _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
        const __m128i half = _mm_and_si128(_mm_slli_epi16(codes, 7), _mm_set1_epi16(static_cast<short>(0xBFFF)));
        return typename Float::batch(_mm256_mul_ps(_mm256_cvtph_ps(half), scale.b));
    }
    static std::uint32_t max_lane(simd::avx2_ivec x) {
        __m128i m = _mm_max_epi32(_mm256_castsi256_si128(x.v), _mm256_extracti128_si256(x.v, 1));
        m = _mm_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
        m = _mm_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
        return static_cast<std::uint32_t>(_mm_cvtsi128_si32(m));
    }
};

}  // namespace edgeopt::kernel
