// SPDX-License-Identifier: Apache-2.0
// Roofline loops for AVX-512F (compiled with -mavx512f).
#include <immintrin.h>

#include "roofline/kernels.hpp"

namespace bench::roof {

namespace {

struct avx512_ops {
    using vec = __m512;
    static constexpr std::size_t lanes = 16;
    static vec set1(float x) { return _mm512_set1_ps(x); }
    static vec load(const float* p) { return _mm512_load_ps(p); }
    static void store(float* p, vec v) { _mm512_store_ps(p, v); }
    static void storeu(float* p, vec v) { _mm512_storeu_ps(p, v); }
    static vec fma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
    static vec mul(vec a, vec b) { return _mm512_mul_ps(a, b); }
    static vec add(vec a, vec b) { return _mm512_add_ps(a, b); }
    static vec div(vec a, vec b) { return _mm512_div_ps(a, b); }
    static vec sqrt(vec a) { return _mm512_sqrt_ps(a); }
    static vec max(vec a, vec b) { return _mm512_max_ps(a, b); }
};

}  // namespace

void copy_avx512(float* a, const float* b, std::size_t n) { copy<avx512_ops>(a, b, n); }
void triad_avx512(float* a, const float* b, const float* c, float s, std::size_t n) {
    triad<avx512_ops>(a, b, c, s, n);
}
void streams_avx512(float* p, const float* g, float* const* state, unsigned slots, std::size_t n) {
    streams<avx512_ops>(p, g, state, slots, n);
}
// 24 chains and 5 constants fit the 32 ZMM registers.
std::size_t opmix_avx512(const op_mix& m, std::size_t rounds, float* sink) {
    return opmix_any<avx512_ops, 24>(m, rounds, sink);
}

}  // namespace bench::roof
