// SPDX-License-Identifier: Apache-2.0
// The roofline loops, written once over an ISA's ops struct V:
//   V::vec, V::lanes, V::set1, load, store, fma, mul, add, div, sqrt, max, storeu.
// Included only by roofline/<isa>.cpp, the one file compiled with that ISA's flags.
#pragma once
#include <cstddef>
#include <iterator>
#include <utility>

#include "cases.hpp"

namespace bench::roof {

// Four vectors an iteration, like an unrolled STREAM loop.  n is a multiple
// of 64 floats (the callers round it up), so there is no tail.
template <class V>
void copy(float* a, const float* b, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 4 * V::lanes)
        for (std::size_t j = 0; j < 4 * V::lanes; j += V::lanes) V::store(a + i + j, V::load(b + i + j));
}

template <class V>
void triad(float* a, const float* b, const float* c, float s, std::size_t n) {
    const typename V::vec k = V::set1(s);
    for (std::size_t i = 0; i < n; i += 4 * V::lanes)
        for (std::size_t j = 0; j < 4 * V::lanes; j += V::lanes)
            V::store(a + i + j, V::fma(k, V::load(c + i + j), V::load(b + i + j)));
}

// The optimizer's memory pattern with next to no arithmetic: read p, g and
// `Slots` state arrays, write p and the state (one add each).  This is the
// bandwidth bound for an optimizer's exact stream layout: unlike triad it
// has as many streams, and like an optimizer it reads every line it writes.
template <class V, unsigned Slots>
void streams(float* p, const float* g, float* const* state, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 2 * V::lanes) {
        for (std::size_t j = i; j < i + 2 * V::lanes; j += V::lanes) {
            const typename V::vec grad = V::load(g + j);
            V::store(p + j, V::add(V::load(p + j), grad));
            for (unsigned k = 0; k < Slots; ++k) V::store(state[k] + j, V::add(V::load(state[k] + j), grad));
        }
    }
}

template <class V>
void streams(float* p, const float* g, float* const* state, unsigned slots, std::size_t n) {
    switch (slots) {
        case 0: return streams<V, 0>(p, g, state, n);
        case 1: return streams<V, 1>(p, g, state, n);
        case 2: return streams<V, 2>(p, g, state, n);
        default: return streams<V, 3>(p, g, state, n);
    }
}

// The op mix, round after round, on `Chains` independent chains held in
// registers.  Every op keeps values near 1 (fma(x, ½, ½) pulls towards 1,
// the others move by 0.1%), so no lane goes subnormal, infinite or NaN
// whatever the mix.  The constants are read through a volatile pointer so
// that the compiler cannot fold x·0.999 or max(x, ¼) away.  Mix supplies
// the counts: compile-time constants for the benchmarked option sets (a
// round is then straight-line code), run-time ones for any other.
template <class V, int Chains, class Mix>
std::size_t opmix(const Mix& m, std::size_t rounds, float* sink) {
    using vec = typename V::vec;
    static const volatile float k[5] = {0.5f, 0.999f, 0.001f, 1.001f, 0.25f};
    const vec half = V::set1(k[0]), shrink = V::set1(k[1]), grow = V::set1(k[2]), divisor = V::set1(k[3]),
              floor = V::set1(k[4]);
    vec x[Chains];
    for (int j = 0; j < Chains; ++j) x[j] = V::set1(1.0f + 0.01f * static_cast<float>(j));
    for (std::size_t r = 0; r < rounds; ++r) {
        for (unsigned i = 0; i < m.fma; ++i)
            for (int j = 0; j < Chains; ++j) x[j] = V::fma(x[j], half, half);
        for (unsigned i = 0; i < m.mul; ++i)
            for (int j = 0; j < Chains; ++j) x[j] = V::mul(x[j], shrink);
        for (unsigned i = 0; i < m.add; ++i)
            for (int j = 0; j < Chains; ++j) x[j] = V::add(x[j], grow);
        for (unsigned i = 0; i < m.div; ++i)
            for (int j = 0; j < Chains; ++j) x[j] = V::div(x[j], divisor);
        for (unsigned i = 0; i < m.sqrt; ++i)
            for (int j = 0; j < Chains; ++j) x[j] = V::sqrt(x[j]);
        for (unsigned i = 0; i < m.other; ++i)
            for (int j = 0; j < Chains; ++j) x[j] = V::max(x[j], floor);
    }
    vec sum = x[0];
    for (int j = 1; j < Chains; ++j) sum = V::add(sum, x[j]);
    V::storeu(sink, sum);
    return rounds * Chains * V::lanes;
}

// The op mixes of optimizer_cases(), as count_ops() finds them (sgd, ...,
// lion in order); a case whose mix is not listed runs the run-time loop.
struct known_mix {
    unsigned fma, mul, add, div, sqrt, other;
};
constexpr known_mix known_mixes[] = {
    {1, 0, 0, 0, 0, 0}, {3, 1, 0, 0, 0, 0}, {4, 1, 0, 0, 0, 0}, {1, 1, 2, 1, 1, 0}, {1, 3, 2, 1, 1, 0},
    {3, 5, 2, 1, 2, 0}, {2, 4, 2, 2, 1, 0}, {2, 4, 2, 2, 1, 1}, {2, 5, 2, 2, 1, 0}, {1, 3, 2, 1, 0, 2},
    {2, 5, 3, 3, 1, 0}, {2, 7, 2, 2, 1, 0}, {3, 3, 0, 0, 0, 2}};

template <std::size_t I>
struct fixed_mix {
    static constexpr unsigned fma = known_mixes[I].fma, mul = known_mixes[I].mul, add = known_mixes[I].add,
                              div = known_mixes[I].div, sqrt = known_mixes[I].sqrt, other = known_mixes[I].other;
};

template <class V, int Chains, std::size_t... I>
std::size_t opmix_any(const op_mix& m, std::size_t rounds, float* sink, std::index_sequence<I...>) {
    std::size_t elements = 0;
    const bool fixed = ((m.fma == known_mixes[I].fma && m.mul == known_mixes[I].mul && m.add == known_mixes[I].add &&
                         m.div == known_mixes[I].div && m.sqrt == known_mixes[I].sqrt &&
                         m.other == known_mixes[I].other &&
                         (elements = opmix<V, Chains>(fixed_mix<I>{}, rounds, sink), true)) ||
                        ...);
    return fixed ? elements : opmix<V, Chains>(m, rounds, sink);
}

template <class V, int Chains>
std::size_t opmix_any(const op_mix& m, std::size_t rounds, float* sink) {
    return opmix_any<V, Chains>(m, rounds, sink, std::make_index_sequence<std::size(known_mixes)>{});
}

}  // namespace bench::roof

// What each roofline/<isa>.cpp defines.
#define EDGEOPT_BENCH_DECLARE_ROOF(isa)                                                          \
    namespace bench::roof {                                                                     \
    void copy_##isa(float* a, const float* b, std::size_t n);                                    \
    void triad_##isa(float* a, const float* b, const float* c, float s, std::size_t n);          \
    void streams_##isa(float* p, const float* g, float* const* state, unsigned slots, std::size_t n); \
    std::size_t opmix_##isa(const op_mix& m, std::size_t rounds, float* sink);                   \
    }
