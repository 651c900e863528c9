// The one loop every kernel runs: load a vector of each stream, apply an
// optimizer's update(), store it back.  The tail (length not a multiple of
// the vector width) goes through the same update() on a partial vector, so a
// tail element is computed exactly like a body element and nothing is read or
// written past the end of any buffer.
#pragma once
#include <cstddef>

#include "kernel/scalar_ops.hpp"

namespace edgeopt::kernel {

constexpr unsigned max_slots = 3;

// One tensor as the kernels see it; state[k] is null when slot k is unused.
struct tensor_streams {
    float* param;
    const float* grad;
    float* state[max_slots];
    std::size_t length;
};

// How to move a lane type V to and from memory.  Specialised per ISA.
template <class V>
struct lanes;

template <>
struct lanes<float> {
    static constexpr std::size_t width = 1;
    static float load(const float* p) { return *p; }
    static void store(float* p, float v) { *p = v; }
    static float load_partial(const float* p, std::size_t) { return *p; }
    static void store_partial(float* p, float v, std::size_t) { *p = v; }
};

// Loads `count` lanes of every stream at offset i (a full vector unless
// Partial), applies the update, stores them back.
template <class V, class Opt, bool Partial>
inline void update_block(const typename Opt::coeffs& c, const tensor_streams& t, std::size_t i, std::size_t count) {
    using L = lanes<V>;
    auto load = [count](const float* p) { if constexpr (Partial) return L::load_partial(p, count); else return L::load(p); };
    auto store = [count](float* p, V v) { if constexpr (Partial) L::store_partial(p, v, count); else L::store(p, v); };
    V p = load(t.param + i);
    V s[max_slots]{};  // unused slots stay zero and are never stored
    for (unsigned k = 0; k < max_slots; ++k)
        if (t.state[k]) s[k] = load(t.state[k] + i);
    Opt::update(c, p, load(t.grad + i), s);
    store(t.param + i, p);
    for (unsigned k = 0; k < max_slots; ++k)
        if (t.state[k]) store(t.state[k] + i, s[k]);
}

template <class V, class Opt>
void run(const typename Opt::coeffs& coeffs, const tensor_streams& streams) {
    // Local copies: stores through float* cannot alias them, so the compiler
    // keeps coefficients, their broadcasts and the pointers in registers.
    const typename Opt::coeffs c = coeffs;
    const tensor_streams t = streams;
    constexpr std::size_t width = lanes<V>::width;
    std::size_t i = 0;
    for (; i + width <= t.length; i += width) update_block<V, Opt, false>(c, t, i, width);
    if (i < t.length) update_block<V, Opt, true>(c, t, i, t.length - i);
}

}  // namespace edgeopt::kernel
