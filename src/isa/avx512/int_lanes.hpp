// SPDX-License-Identifier: Apache-2.0
// AVX-512F's 32-bit integer lanes for kernel/convert.hpp; comparisons give
// mask registers, and vpmovdw/vpmovdb narrow in one instruction.  AVX-512F
// has the 512-bit vcvtph2ps/vcvtps2ph, so f16 converts in hardware here.
#pragma once
#include <immintrin.h>

#include <cstdint>

#include "kernel/convert.hpp"

namespace edgeopt::simd {

struct avx512_ivec {
    __m512i v;
    avx512_ivec(std::uint32_t x) : v(_mm512_set1_epi32(static_cast<int>(x))) {}
    avx512_ivec(__m512i x) : v(x) {}
};

inline avx512_ivec operator+(avx512_ivec x, avx512_ivec y) { return _mm512_add_epi32(x.v, y.v); }
inline avx512_ivec operator-(avx512_ivec x, avx512_ivec y) { return _mm512_sub_epi32(x.v, y.v); }
inline avx512_ivec operator&(avx512_ivec x, avx512_ivec y) { return _mm512_and_si512(x.v, y.v); }
inline avx512_ivec operator|(avx512_ivec x, avx512_ivec y) { return _mm512_or_si512(x.v, y.v); }
inline avx512_ivec operator^(avx512_ivec x, avx512_ivec y) { return _mm512_xor_si512(x.v, y.v); }
inline avx512_ivec shl(avx512_ivec x, int n) { return _mm512_slli_epi32(x.v, static_cast<unsigned>(n)); }
inline avx512_ivec shr(avx512_ivec x, int n) { return _mm512_srli_epi32(x.v, static_cast<unsigned>(n)); }
inline avx512_ivec mul_lo(avx512_ivec x, avx512_ivec y) { return _mm512_mullo_epi32(x.v, y.v); }
inline __mmask16 less(avx512_ivec x, avx512_ivec y) { return _mm512_cmplt_epi32_mask(x.v, y.v); }
inline __mmask16 equal(avx512_ivec x, avx512_ivec y) { return _mm512_cmpeq_epi32_mask(x.v, y.v); }
inline avx512_ivec select(__mmask16 mask, avx512_ivec x, avx512_ivec y) { return _mm512_mask_blend_epi32(mask, y.v, x.v); }
inline avx512_ivec min_signed(avx512_ivec x, avx512_ivec y) { return _mm512_min_epi32(x.v, y.v); }
inline avx512_ivec max_signed(avx512_ivec x, avx512_ivec y) { return _mm512_max_epi32(x.v, y.v); }

}  // namespace edgeopt::simd

namespace edgeopt::kernel {

template <class Float>
struct avx512_int_lanes {
    using type = simd::avx512_ivec;
    static type bits(Float x) { return _mm512_castps_si512(x.b); }
    static Float floats(type x) { return typename Float::batch(_mm512_castsi512_ps(x.v)); }
    static Float to_float(type x) { return typename Float::batch(_mm512_cvtepi32_ps(x.v)); }
    static type ramp(std::uint32_t first) {
        return type(first) + type(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    }
    static type load_u16(const std::uint16_t* p) {
        return _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    }
    static void store_u16(std::uint16_t* p, type x) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm512_cvtepi32_epi16(x.v));
    }
    static type load_u8(const std::uint8_t* p) {
        return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    }
    static void store_u8(std::uint8_t* p, type x) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtepi32_epi8(x.v));
    }
};

// As AVX2's F16C (isa/avx2/int_lanes.hpp), 16 lanes at a time; the narrowing
// suppresses exceptions, which changes no bits.
template <class Float>
struct avx512_native_convert {
    static constexpr bool f16 = true, bf16 = false, block_max = true;
    static Float widen_f16(const std::uint16_t* p) {
        return typename Float::batch(_mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))));
    }
    static void narrow_f16(std::uint16_t* p, Float x) {
        const __mmask16 nan = _mm512_cmp_ps_mask(x.b, x.b, _CMP_UNORD_Q);
        const __m512 quiet = _mm512_mask_blend_ps(nan, x.b, _mm512_castsi512_ps(_mm512_set1_epi32(0x7FC00000)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p),
                            _mm512_cvtps_ph(quiet, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }
    static Float decode_q8(const std::uint8_t* p, Float scale) {
        const __m256i codes = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
        const __m256i half = _mm256_and_si256(_mm256_slli_epi16(codes, 7), _mm256_set1_epi16(static_cast<short>(0xBFFF)));
        return typename Float::batch(_mm512_mul_ps(_mm512_cvtph_ps(half), scale.b));
    }
    static std::uint32_t max_lane(simd::avx512_ivec x) { return static_cast<std::uint32_t>(_mm512_reduce_max_epi32(x.v)); }
};

}  // namespace edgeopt::kernel
