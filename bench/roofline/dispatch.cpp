// SPDX-License-Identifier: Apache-2.0
// Chooses the roofline/<isa>.cpp loops; they exist on x86 only.
#include "roofline/roofline.hpp"

#include "edgeopt/edgeopt.h"

#if defined(__x86_64__) || defined(__i386__)
#include "roofline/kernels.hpp"
EDGEOPT_BENCH_DECLARE_ROOF(avx2)
EDGEOPT_BENCH_DECLARE_ROOF(avx512)
#define EDGEOPT_BENCH_X86 1
#endif

namespace bench {

const char* name(vector_isa isa) { return isa == vector_isa::avx2 ? "avx2" : "avx512"; }

#ifdef EDGEOPT_BENCH_X86

bool available(vector_isa isa) {
    return edgeopt_isa_available(isa == vector_isa::avx2 ? EDGEOPT_ISA_AVX2 : EDGEOPT_ISA_AVX512);
}

void copy(vector_isa isa, float* a, const float* b, std::size_t n) {
    isa == vector_isa::avx2 ? roof::copy_avx2(a, b, n) : roof::copy_avx512(a, b, n);
}

void triad(vector_isa isa, float* a, const float* b, const float* c, float s, std::size_t n) {
    isa == vector_isa::avx2 ? roof::triad_avx2(a, b, c, s, n) : roof::triad_avx512(a, b, c, s, n);
}

void streams(vector_isa isa, float* p, const float* g, float* const* state, unsigned slots, std::size_t n) {
    isa == vector_isa::avx2 ? roof::streams_avx2(p, g, state, slots, n) : roof::streams_avx512(p, g, state, slots, n);
}

std::size_t compute(vector_isa isa, const op_mix& mix, std::size_t rounds, float* sink) {
    return isa == vector_isa::avx2 ? roof::opmix_avx2(mix, rounds, sink) : roof::opmix_avx512(mix, rounds, sink);
}

#else

bool available(vector_isa) { return false; }
void copy(vector_isa, float*, const float*, std::size_t) {}
void triad(vector_isa, float*, const float*, const float*, float, std::size_t) {}
void streams(vector_isa, float*, const float*, float* const*, unsigned, std::size_t) {}
std::size_t compute(vector_isa, const op_mix&, std::size_t, float*) { return 0; }

#endif

}  // namespace bench
