// SPDX-License-Identifier: Apache-2.0
// Roofline loops for AVX2 + FMA (compiled with -mavx2 -mfma).
#include <immintrin.h>

#include "roofline/kernels.hpp"

namespace bench::roof {

namespace {

struct avx2_ops {
    using vec = __m256;
    static constexpr std::size_t lanes = 8;
    static vec set1(float x) { return _mm256_set1_ps(x); }
    static vec load(const float* p) { return _mm256_load_ps(p); }
    static void store(float* p, vec v) { _mm256_store_ps(p, v); }
    static void storeu(float* p, vec v) { _mm256_storeu_ps(p, v); }
    static vec fma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
    static vec mul(vec a, vec b) { return _mm256_mul_ps(a, b); }
    static vec add(vec a, vec b) { return _mm256_add_ps(a, b); }
    static vec div(vec a, vec b) { return _mm256_div_ps(a, b); }
    static vec sqrt(vec a) { return _mm256_sqrt_ps(a); }
    static vec max(vec a, vec b) { return _mm256_max_ps(a, b); }
};

}  // namespace

void copy_avx2(float* a, const float* b, std::size_t n) { copy<avx2_ops>(a, b, n); }
void triad_avx2(float* a, const float* b, const float* c, float s, std::size_t n) {
    triad<avx2_ops>(a, b, c, s, n);
}
void streams_avx2(float* p, const float* g, float* const* state, unsigned slots, std::size_t n) {
    streams<avx2_ops>(p, g, state, slots, n);
}
// 10 chains and 5 constants fit the 16 YMM registers.
std::size_t opmix_avx2(const op_mix& m, std::size_t rounds, float* sink) {
    return opmix_any<avx2_ops, 10>(m, rounds, sink);
}

}  // namespace bench::roof
