// SPDX-License-Identifier: Apache-2.0
// The SIMD lane type for every ISA xsimd 8.1 knows: a thin wrapper over
// xsimd::batch<float, Arch> that gives the optimizer maths the same
// vocabulary as float (+ − × ÷, fma, sqrt, abs, maximum, sign).
//
// Only operations whose xsimd implementation is exact on the ISA forward to
// xsimd here; an ISA overrides what it must in its own folder (for example
// NEON's ÷ and √, which xsimd 8.1 approximates, or AVX-512's fma, which it
// leaves unfused).  tests/test_kernels.cpp checks every one of them, per ISA,
// against the float reference bit for bit.
#pragma once
#include <cstddef>
#include <cstring>
#include <xsimd/xsimd.hpp>

#include "kernel/driver.hpp"

namespace edgeopt::simd {

template <class Arch>
struct vec {
    using batch = xsimd::batch<float, Arch>;
    batch b;
    vec() = default;
    vec(float x) : b(x) {}
    vec(batch x) : b(x) {}
};

template <class A> vec<A> operator+(vec<A> x, vec<A> y) { return x.b + y.b; }
template <class A> vec<A> operator-(vec<A> x, vec<A> y) { return x.b - y.b; }
template <class A> vec<A> operator*(vec<A> x, vec<A> y) { return x.b * y.b; }
template <class A> vec<A> operator/(vec<A> x, vec<A> y) { return x.b / y.b; }
template <class A> vec<A> operator-(vec<A> x) { return -x.b; }
template <class A> vec<A> fma(vec<A> x, vec<A> y, vec<A> z) { return xsimd::fma(x.b, y.b, z.b); }
template <class A> vec<A> sqrt(vec<A> x) { return xsimd::sqrt(x.b); }
template <class A> vec<A> abs(vec<A> x) { return xsimd::abs(x.b); }

// x > y ? x : y lane by lane (the scalar rule, ±0 included), NaN if either is.
// NaN is found with ==, not !=: xsimd 8.1 spells AVX and AVX-512 float !=
// as the ordered _CMP_NEQ_OQ, false for NaN, unlike C++'s !=.
template <class A>
vec<A> maximum(vec<A> x, vec<A> y) {
    const auto both_numbers = (x.b == x.b) & (y.b == y.b);
    return xsimd::select(both_numbers, xsimd::select(x.b > y.b, x.b, y.b), x.b + y.b);
}

// 1, −1 or 0 (also for NaN), like torch.sign.
template <class A>
vec<A> sign(vec<A> x) {
    using batch = typename vec<A>::batch;
    const batch zero(0.0f);
    return xsimd::select(x.b > zero, batch(1.0f), xsimd::select(x.b < zero, batch(-1.0f), zero));
}

}  // namespace edgeopt::simd

namespace edgeopt::kernel {

template <class A>
struct lanes<simd::vec<A>> {
    using batch = typename simd::vec<A>::batch;
    static constexpr std::size_t width = batch::size;
    static simd::vec<A> load(const float* p) { return batch::load_unaligned(p); }
    static void store(float* p, simd::vec<A> v) { v.b.store_unaligned(p); }
    // A partial vector goes through a zeroed buffer on the stack, so exactly
    // `count` floats are read and written.  Lanes past count compute on zeros
    // and are dropped.
    static simd::vec<A> load_partial(const float* p, std::size_t count) {
        alignas(64) float buffer[width] = {};
        std::memcpy(buffer, p, count * sizeof(float));
        return batch::load_aligned(buffer);
    }
    static void store_partial(float* p, simd::vec<A> v, std::size_t count) {
        alignas(64) float buffer[width];
        v.b.store_aligned(buffer);
        std::memcpy(p, buffer, count * sizeof(float));
    }
};

}  // namespace edgeopt::kernel
