// SPDX-License-Identifier: Apache-2.0
// The reference conversions (kernel/convert.hpp at V = float) against
// oracles written independently: the compiler's half type (_Float16, __fp16) for f16, a
// double-precision nearest-neighbour search for bf16 and the 8-bit code.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <ios>
#include <vector>

#include "kernel/convert.hpp"
#include "support.hpp"

namespace {

using namespace edgeopt::kernel;

float from_bits(std::uint32_t b) { return int_lanes<float>::floats(b); }
std::uint32_t bits(float f) { return int_lanes<float>::bits(f); }

// Floats that exercise rounding: every exponent, mantissas at and around
// the 16-bit and 20-bit halfway points, plus a pseudo-random spread.
std::vector<float> probe_floats() {
    std::vector<float> v;
    for (std::uint32_t sign = 0; sign < 2; ++sign)
        for (std::uint32_t e = 0; e < 256; ++e)
            for (std::uint32_t m : {0u, 1u, 0x7FFFu, 0x8000u, 0x8001u, 0x18000u, 0xFFFFu, 0x10000u, 0xFFFu, 0x1000u,
                                    0x1FFFu, 0x2000u, 0x3000u, 0x7FFFFu, 0x80000u, 0x180000u, 0x7FFFFFu, 0x400000u})
                v.push_back(from_bits(sign << 31 | e << 23 | m));
    std::uint32_t x = 12345;
    for (int i = 0; i < 200000; ++i) {
        x = x * 1664525u + 1013904223u;
        v.push_back(from_bits(x));
    }
    return v;
}

// bf16 by search: the two neighbours, nearest wins, a tie goes to the even
// one; a neighbour past the largest bf16 counts as 2^128 (IEEE's overflow rule).
std::uint32_t bf16_oracle(float x) {
    if (std::isnan(x)) return 0x7FC0u;
    const std::uint32_t low = bits(x) >> 16;  // truncated towards zero
    if (std::isinf(x)) return low;
    const std::uint32_t high = low + 1;
    const double below = from_bits(low << 16);
    const double above = (high & 0x7F80u) == 0x7F80u ? std::copysign(std::ldexp(1.0, 128), x) : from_bits(high << 16);
    const double d_low = std::fabs(double(x) - below), d_high = std::fabs(above - double(x));
    if (d_low != d_high) return d_low < d_high ? low : high;
    return (low & 1u) ? high : low;
}

// The value of a magnitude code, in units of the block scale.
double q8_value(unsigned magnitude) {
    const unsigned e = magnitude >> 3, m = magnitude & 7u;
    return e == 0 ? std::ldexp(double(m), -17) : std::ldexp(1.0 + m / 8.0, int(e) - 15);
}

}  // namespace

TEST_CASE("bf16: widening is exact and narrowing rounds to nearest even") {
    for (std::uint32_t h = 0; h < 0x10000u; ++h) {
        const float wide = bf16_widen<float>(h);
        CHECK(bits(wide) == h << 16);
    }
    std::size_t checked = 0;
    for (float x : probe_floats()) {
        const std::uint32_t got = bf16_narrow<float>(x), want = bf16_oracle(x);
        if (got != want) {
            INFO("x bits " << std::hex << bits(x));
            CHECK(got == want);
        }
        ++checked;
    }
    CHECK(bf16_narrow<float>(3.4028235e38f) == 0x7F80u);  // max float rounds to Inf
    CHECK(bf16_narrow<float>(-INFINITY) == 0xFF80u);
    CHECK(bf16_narrow<float>(-NAN) == 0x7FC0u);
    MESSAGE(checked << " floats narrowed to bf16");
}

// The compiler's IEEE half type, where it has one in C++.
#if defined(__ARM_FP16_FORMAT_IEEE)
#define EDGEOPT_TEST_HALF __fp16
#elif defined(__FLT16_MAX__) && (defined(__x86_64__) || defined(__i386__))
#define EDGEOPT_TEST_HALF _Float16
#endif

#ifdef EDGEOPT_TEST_HALF
TEST_CASE("f16: every half widens as the compiler's half type does, and narrows with its rounding") {
    for (std::uint32_t h = 0; h < 0x10000u; ++h) {
        EDGEOPT_TEST_HALF half;
        const auto h16 = static_cast<std::uint16_t>(h);
        std::memcpy(&half, &h16, 2);
        const float want = static_cast<float>(half);
        const float got = f16_widen<float>(h);
        if (std::isnan(want)) {
            CHECK(std::isnan(got));
        } else if (bits(got) != bits(want)) {
            INFO("half " << std::hex << h);
            CHECK(bits(got) == bits(want));
        }
    }
    for (float x : probe_floats()) {
        const EDGEOPT_TEST_HALF half = static_cast<EDGEOPT_TEST_HALF>(x);
        std::uint16_t want;
        std::memcpy(&want, &half, 2);
        const std::uint32_t got = f16_narrow<float>(x);
        if (std::isnan(x)) {
            CHECK(got == 0x7E00u);
        } else if (got != want) {
            INFO("x bits " << std::hex << bits(x));
            CHECK(got == want);
        }
    }
}
#endif

TEST_CASE("q8: every code decodes to its value; encoding picks the nearest code, ties to even") {
    for (unsigned code = 0; code < 256; ++code) {
        const double magnitude = q8_value(code & 0x7Fu);
        const float got = q8_decode<float>(code, 1.0f);
        CHECK(double(std::fabs(got)) == magnitude);
        CHECK(std::signbit(got) == ((code & 0x80u) != 0));
        CHECK(q8_decode<float>(code, 0.25f) == got * 0.25f);
    }
    std::uint32_t x = 7;
    for (int i = 0; i < 300000; ++i) {
        x = x * 1664525u + 1013904223u;
        // |v| / scale in [0, 1], spread over every code's range.
        const float ratio = std::ldexp(float(x >> 8) / 16777216.0f, -int(x % 20));
        unsigned best = 0;
        for (unsigned c = 1; c < 128; ++c) {
            const double dc = std::fabs(q8_value(c) - ratio), db = std::fabs(q8_value(best) - ratio);
            if (dc < db || (dc == db && (c & 1u) == 0)) best = c;
        }
        const std::uint32_t got = q8_encode_magnitude<float>(ratio);
        if (got != best) {
            INFO("ratio " << ratio);
            CHECK(got == best);
        }
    }
    CHECK(q8_encode<float>(-0.5f, 1.0f) == (0x80u | 14u << 3));
    CHECK(q8_encode_magnitude<float>(1.0f) == 15u << 3);
    CHECK(q8_encode_magnitude<float>(NAN) == 127u);
    CHECK(q8_encode_magnitude<float>(INFINITY) == 127u);
    CHECK(q8_encode_magnitude<float>(1e-30f) == 0u);
}

TEST_CASE("stochastic bf16 rounding: a neighbour every time, unbiased on average, deterministic") {
    const random_key key = random_key::of(42, 7, 3);
    const float x = 1.0f + 3.0f / 1024.0f;  // 3/8 of the way from one bf16 to the next
    const float below = bf16_widen<float>(bits(x) >> 16), above = bf16_widen<float>((bits(x) >> 16) + 1);
    double sum = 0;
    const int n = 200000;
    int ups = 0;
    for (int i = 0; i < n; ++i) {
        const std::uint32_t h = bf16_narrow_stochastic<float>(x, random_bits<std::uint32_t>(std::uint32_t(i), key));
        const float y = bf16_widen<float>(h);
        REQUIRE((y == below || y == above));
        ups += y == above;
        sum += y;
    }
    const double p = double(ups) / n;
    CHECK(p == doctest::Approx(0.375).epsilon(0.02));
    CHECK(sum / n == doctest::Approx(double(x)).epsilon(1e-4));
    // Same key and index, same bits; another step, other bits.
    CHECK(random_bits<std::uint32_t>(5u, key) == random_bits<std::uint32_t>(5u, random_key::of(42, 7, 3)));
    int same = 0;
    for (std::uint32_t i = 0; i < 1000; ++i)
        same += random_bits<std::uint32_t>(i, key) == random_bits<std::uint32_t>(i, random_key::of(42, 8, 3));
    CHECK(same < 3);
    CHECK(bf16_narrow_stochastic<float>(NAN, 0xFFFFu) == 0x7FC0u);
    CHECK(bf16_narrow_stochastic<float>(INFINITY, 0xFFFFu) == 0x7F80u);
    CHECK(bf16_narrow_stochastic<float>(2.0f, 0xFFFFu) == bits(2.0f) >> 16);  // representable: never moves
}
