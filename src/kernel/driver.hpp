// SPDX-License-Identifier: Apache-2.0
// The one loop every kernel runs: load a vector of each stream, apply an
// optimizer's update(), store it back.  The tail (length not a multiple of
// the vector width) goes through the same update() on a partial vector, so a
// tail element is computed exactly like a body element and nothing is read or
// written past the end of any buffer.
//
// The loop is compiled once per variant the optimizer lists (Opt::variants,
// optim/common.hpp): which state slots exist, and any option flags fixed at
// compile time.  run() picks the coefficients' variant once per tensor.  A
// slot or flag test per vector is what kept the light optimizers under the
// plain loop in cache: GCC unswitches at most three conditions out of a
// loop, and three run-time slot tests took them all (README, "Performance").
#pragma once
#include <cstddef>
#include <type_traits>
#include <utility>

#include "kernel/scalar_ops.hpp"

namespace edgeopt::kernel {

constexpr unsigned max_slots = 3;

// One tensor as the kernels see it.  state[k] must point to slot k's buffer
// for every slot the options use (Opt::slot_mask(), which is the low bits of
// Opt::variant()); the other entries are never read and may be null.
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

// Calls f(k) for each state slot k in the variant's slot mask, at compile time.
template <unsigned Variant, class F>
inline void for_each_slot(F&& f) {
    if constexpr ((Variant & 1u) != 0) f(0u);
    if constexpr ((Variant & 2u) != 0) f(1u);
    if constexpr ((Variant & 4u) != 0) f(2u);
}

// Loads `count` lanes of every stream at offset i (a full vector unless
// Partial), applies the update, stores them back.
template <class V, class Opt, unsigned Variant, bool Partial>
inline void update_block(const typename Opt::coeffs& c, const tensor_streams& t, std::size_t i, std::size_t count) {
    using L = lanes<V>;
    // [=]: count is unused in full vectors, and clang warns of an unused explicit capture.
    auto load = [=](const float* p) { if constexpr (Partial) return L::load_partial(p, count); else return L::load(p); };
    auto store = [=](float* p, V v) { if constexpr (Partial) L::store_partial(p, v, count); else L::store(p, v); };
    V p = load(t.param + i);
    V s[max_slots]{};  // unused slots stay zero and are never stored
    for_each_slot<Variant>([&](unsigned k) { s[k] = load(t.state[k] + i); });
    Opt::template update<Variant>(c, p, load(t.grad + i), s);
    store(t.param + i, p);
    for_each_slot<Variant>([&](unsigned k) { store(t.state[k] + i, s[k]); });
}

// The loop for one variant, which must be the coefficients' Opt::variant().
// Not unrolled: two blocks a turn are over GCC's size limit for unswitching
// (common.hpp) in most optimizers, which brings the per-vector flag tests back.
// With that limit raised (--param max-unswitch-insns=400), 2 and 4 vectors a
// turn on AVX2 and AVX-512 (Zen 4) made no optimizer faster at 4K-1M (the
// loops are bound by the divider or by loads and stores, not by the loop's
// add, compare and branch; no AVX-512 loop touches the stack), and Rprop
// 20% slower.
template <class V, class Opt, unsigned Variant>
void run_variant(const typename Opt::coeffs& coeffs, const tensor_streams& streams) {
    // Local copies: stores through float* cannot alias them, so the compiler
    // keeps coefficients, their broadcasts and the pointers in registers.
    const typename Opt::coeffs c = coeffs;
    const tensor_streams t = streams;
    constexpr std::size_t width = lanes<V>::width;
    std::size_t i = 0;
    for (; i + width <= t.length; i += width) update_block<V, Opt, Variant, false>(c, t, i, width);
    if (i < t.length) update_block<V, Opt, Variant, true>(c, t, i, t.length - i);
}

template <class Opt, class F, std::size_t... I>
inline void visit_listed_variant(unsigned variant, F& f, std::index_sequence<I...>) {
    (void)((variant == Opt::variants[I] && (f(std::integral_constant<unsigned, Opt::variants[I]>{}), true)) || ...);
}

// Calls f(std::integral_constant<unsigned, Variant>{}) for the coefficients'
// variant, one of Opt::variants (a compare per listed variant, none when
// there is only one).
template <class Opt, class F>
inline void visit_variant(const typename Opt::coeffs& c, F&& f) {
    constexpr std::size_t count = sizeof Opt::variants / sizeof Opt::variants[0];
    visit_listed_variant<Opt>(Opt::variant(c), f, std::make_index_sequence<count>{});
}

template <class V, class Opt>
void run(const typename Opt::coeffs& coeffs, const tensor_streams& streams) {
    visit_variant<Opt>(coeffs, [&](auto variant) { run_variant<V, Opt, decltype(variant)::value>(coeffs, streams); });
}

}  // namespace edgeopt::kernel
