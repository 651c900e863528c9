// SPDX-License-Identifier: Apache-2.0
// The reference conversions (kernel/convert.hpp at V = float) against
// oracles written independently: the compiler's half type (_Float16, __fp16) for f16, a
// double-precision nearest-neighbour search for bf16 and the 8-bit code.
// Then every kernel table's conversions (hardware ones where the CPU has
// them: F16C, AVX-512F, AVX512_BF16) against the reference, bit for bit.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ios>
#include <string>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "kernel/convert.hpp"
#include "kernel/table.hpp"
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
    // Signs: −0 and −Inf keep theirs, a NaN of either sign is 127.
    CHECK(q8_encode<float>(-0.0f, 1.0f) == 0x80u);
    CHECK(q8_encode<float>(-INFINITY, 1.0f) == 0xFFu);
    CHECK(q8_encode<float>(-INFINITY, 0.0f) == 0xFFu);
    CHECK(q8_encode<float>(INFINITY, 0.0f) == 127u);
    CHECK(q8_encode<float>(-NAN, 1.0f) == 127u);
    CHECK(q8_encode<float>(NAN, 1.0f) == 127u);
    CHECK(q8_encode<float>(-1e-45f, 1.0f) == 0x80u);
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

// --- every table's conversions against the reference -------------------------

namespace {

struct table_under_test {
    const table* kernels;
    std::string name;
};

// Every table this CPU runs; AVX-512 twice when the CPU has AVX512_BF16
// (kernels_bf16.cpp's table and the integer fallback).
std::vector<table_under_test> tables_under_test() {
    std::vector<table_under_test> out;
    for (int i = EDGEOPT_ISA_SCALAR + 1; i < EDGEOPT_ISA_COUNT; ++i) {
        const auto isa = static_cast<edgeopt_isa>(i);
        if (isa == EDGEOPT_ISA_AVX512 && use_avx512_bf16(true) && table_for(isa))
            out.push_back({table_for(isa), "avx512 with AVX512_BF16"});
        if (isa == EDGEOPT_ISA_AVX512) use_avx512_bf16(false);
        if (table_for(isa)) out.push_back({table_for(isa), edgeopt_isa_name(isa)});
    }
    use_avx512_bf16(std::getenv("EDGEOPT_NO_AVX512_BF16") == nullptr);  // as the other tests expect
    return out;
}

const conversions& reference() { return table_for(EDGEOPT_ISA_SCALAR)->convert; }

// Narrowing inputs: every float32 subnormal and a little past, then for
// every sign, the exponents where f16 and bf16 round differently (f16's
// subnormal and overflow range, bf16's overflow, Inf/NaN) every low 16
// mantissa bits under four patterns of the high 7: the rounding, sticky and
// carry cases of both formats.  EDGEOPT_EXHAUSTIVE=1: all 2^32 floats.
template <class Visit>
void for_each_narrowing_chunk(Visit visit) {
    std::vector<float> chunk;
    auto emit = [&](std::uint32_t b) {
        chunk.push_back(from_bits(b));
        if (chunk.size() == (1u << 20)) visit(chunk), chunk.clear();
    };
    if (std::getenv("EDGEOPT_EXHAUSTIVE")) {
        for (std::uint64_t b = 0; b < (1ull << 32); ++b) emit(static_cast<std::uint32_t>(b));
    } else {
        for (std::uint32_t sign = 0; sign < 2; ++sign) {
            for (std::uint32_t b = 0; b < 0x00810000u; ++b) emit(sign << 31 | b);
            for (std::uint32_t e = 1; e < 256; ++e) {
                if (e > 3 && e < 100) continue;
                if (e > 145 && e < 252) continue;
                for (std::uint32_t high : {0u, 0x7Fu, 0x55u, 0x2Au})
                    for (std::uint32_t low = 0; low < 0x10000u; ++low) emit(sign << 31 | e << 23 | high << 16 | low);
            }
        }
    }
    if (!chunk.empty()) visit(chunk);
}

// MXCSR with denormals-are-zero and flush-to-zero set, for the scope: the
// conversions must not depend on it (x86 only).
struct flushing_mxcsr {
#if defined(__x86_64__) || defined(__i386__)
    unsigned saved = _mm_getcsr();
    flushing_mxcsr() { _mm_setcsr(saved | 0x8040u); }
    ~flushing_mxcsr() { _mm_setcsr(saved); }
#endif
};

// Halves compared bit for bit; a NaN input may widen to another NaN only as
// native_convert documents: the signalling half's quiet bit set.
bool same_widened(std::uint16_t h, float want, float got) {
    if (bits(want) == bits(got)) return true;
    const bool nan_half = (h & 0x7C00u) == 0x7C00u && (h & 0x3FFu) != 0;
    return nan_half && (bits(want) | 0x00400000u) == bits(got);
}

}  // namespace

TEST_CASE("every table narrows float32 to bf16 and f16 with the reference's bits, whatever MXCSR says") {
    const auto tables = tables_under_test();
    std::vector<std::uint16_t> want, got;
    std::size_t checked = 0, failures = 0;
    for_each_narrowing_chunk([&](const std::vector<float>& in) {
        for (edgeopt_dtype to : {EDGEOPT_BF16, EDGEOPT_F16}) {
            want.assign(in.size(), 0);
            reference().narrow(in.data(), to, want.data(), in.size());
            for (const auto& t : tables) {
                for (bool flushing : {false, true}) {
                    got.assign(in.size(), 0);
                    if (flushing) {
                        const flushing_mxcsr scope;
                        t.kernels->convert.narrow(in.data(), to, got.data(), in.size());
                    } else {
                        t.kernels->convert.narrow(in.data(), to, got.data(), in.size());
                    }
                    for (std::size_t i = 0; i < in.size(); ++i) {
                        if (got[i] == want[i] || ++failures > 10) continue;
                        INFO(t.name << std::string(to == EDGEOPT_BF16 ? " bf16" : " f16") << std::string(flushing ? " DAZ+FTZ" : "")
                                    << " x bits " << std::hex << bits(in[i]) << ": " << got[i] << " vs " << want[i]);
                        CHECK(false);
                    }
                }
            }
        }
        checked += in.size();
    });
    CHECK(failures == 0);
    MESSAGE(checked << " floats narrowed by " << tables.size() << " tables");
}

TEST_CASE("every table widens every bf16 and f16 value as the reference does, whatever MXCSR says") {
    std::vector<std::uint16_t> in(0x10000u);
    for (std::uint32_t h = 0; h < 0x10000u; ++h) in[h] = static_cast<std::uint16_t>(h);
    std::vector<float> want(in.size()), got(in.size());
    for (edgeopt_dtype from : {EDGEOPT_BF16, EDGEOPT_F16}) {
        reference().widen(in.data(), from, want.data(), in.size());
        for (const auto& t : tables_under_test()) {
            for (bool flushing : {false, true}) {
                if (flushing) {
                    const flushing_mxcsr scope;
                    t.kernels->convert.widen(in.data(), from, got.data(), in.size());
                } else {
                    t.kernels->convert.widen(in.data(), from, got.data(), in.size());
                }
                std::size_t failures = 0;
                for (std::uint32_t h = 0; h < 0x10000u; ++h) {
                    if (same_widened(in[h], want[h], got[h]) || ++failures > 10) continue;
                    INFO(t.name << std::string(from == EDGEOPT_BF16 ? " bf16 " : " f16 ") << std::hex << h << ": " << bits(got[h])
                                << " vs " << bits(want[h]));
                    CHECK(false);
                }
                CHECK(failures == 0);
            }
        }
    }
}

namespace {

// q8 blocks that exercise the encoder: random magnitudes over every code's
// range, every code's exact midpoint (a tie) and its neighbours, signed
// zeros, subnormals, and blocks with NaN, Inf, tiny or huge maxima.
std::vector<float> q8_probe_values() {
    std::vector<float> v;
    std::uint32_t x = 99;
    auto next = [&x] { return x = x * 1664525u + 1013904223u; };
    for (int block = 0; block < 4000; ++block) {
        const float scale = std::ldexp(1.0f, int(next() % 200) - 100);
        for (std::size_t j = 0; j < EDGEOPT_Q8_BLOCK; ++j) {
            const float ratio = std::ldexp(float(next() >> 8) / 16777216.0f, -int(next() % 20));
            v.push_back((next() & 1u ? -ratio : ratio) * scale);
        }
    }
    for (unsigned c = 0; c < 127; ++c) {  // block maximum 1: ties between codes c and c + 1
        const float mid = float((q8_value(c) + q8_value(c + 1)) / 2);
        for (float y : {1.0f, mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 2.0f), -mid, 0.0f, -0.0f, 1e-40f})
            v.push_back(y);
    }
    const float specials[] = {NAN, -NAN, INFINITY, -INFINITY, 1e-40f, -1e-40f, 0.0f, -0.0f, 3.4e38f, -1e-30f};
    for (float special : specials)
        for (std::size_t j = 0; j < EDGEOPT_Q8_BLOCK; ++j) v.push_back(j % 3 == 0 ? special : 0.5f * float(j));
    v.resize(v.size() + 13, 0.25f);  // a partial last block
    return v;
}

}  // namespace

TEST_CASE("every table encodes and decodes q8 blocks with the reference's bits, whatever MXCSR says") {
    const std::vector<float> values = q8_probe_values();
    const std::size_t n = values.size();
    const std::size_t bytes = (n + EDGEOPT_Q8_BLOCK - 1) / EDGEOPT_Q8_BLOCK * 4 + n;
    std::vector<unsigned char> want_slice(bytes + 64), got_slice(bytes + 64);
    std::vector<float> want(n), got(n);
    reference().q8_write(want_slice.data(), n, values.data());
    reference().q8_read(want_slice.data(), n, want.data());
    // Every code under every kind of scale, decoded.
    std::vector<unsigned char> codes_slice(bytes + 64);
    {
        float* scales = reinterpret_cast<float*>(codes_slice.data());
        const float kinds[] = {1.0f, 0.25f, 3.4e38f, 7.9e-31f, 1e-20f, 0.0f, INFINITY, NAN};
        for (std::size_t b = 0; b * EDGEOPT_Q8_BLOCK < n; ++b) scales[b] = kinds[b % 8];
        unsigned char* codes = codes_slice.data() + (n + EDGEOPT_Q8_BLOCK - 1) / EDGEOPT_Q8_BLOCK * 4;
        for (std::size_t i = 0; i < n; ++i) codes[i] = static_cast<unsigned char>(i * 7 + i / 256);
    }
    std::vector<float> want_decoded(n), got_decoded(n);
    reference().q8_read(codes_slice.data(), n, want_decoded.data());
    for (const auto& t : tables_under_test()) {
        for (bool flushing : {false, true}) {
            INFO(t.name << std::string(flushing ? " DAZ+FTZ" : ""));
            std::fill(got_slice.begin(), got_slice.end(), 0xA5);
            if (flushing) {
                const flushing_mxcsr scope;
                t.kernels->convert.q8_write(got_slice.data(), n, values.data());
                t.kernels->convert.q8_read(got_slice.data(), n, got.data());
                t.kernels->convert.q8_read(codes_slice.data(), n, got_decoded.data());
            } else {
                t.kernels->convert.q8_write(got_slice.data(), n, values.data());
                t.kernels->convert.q8_read(got_slice.data(), n, got.data());
                t.kernels->convert.q8_read(codes_slice.data(), n, got_decoded.data());
            }
            // A NaN scale decodes to NaN, whose payload differs between ISAs.
            const std::size_t blocks = (n + EDGEOPT_Q8_BLOCK - 1) / EDGEOPT_Q8_BLOCK;
            const auto* code_scales = reinterpret_cast<const float*>(codes_slice.data());
            auto nan_scale = [&](std::size_t i) { return std::isnan(code_scales[i / EDGEOPT_Q8_BLOCK]); };
            CHECK(got_slice[bytes] == 0xA5);  // nothing written past the slice
            std::size_t failures = 0;
            for (std::size_t b = 0; b < blocks; ++b) {
                const bool same_scale = std::memcmp(&got_slice[4 * b], &want_slice[4 * b], 4) == 0;
                const std::size_t first = 4 * blocks + b * EDGEOPT_Q8_BLOCK;
                const std::size_t count = std::min<std::size_t>(EDGEOPT_Q8_BLOCK, n - b * EDGEOPT_Q8_BLOCK);
                const bool same_codes = std::memcmp(&got_slice[first], &want_slice[first], count) == 0;
                if (same_scale && same_codes) continue;
                INFO("block " << b);
                CHECK(same_scale);
                CHECK(same_codes);
                ++failures;
            }
            for (std::size_t i = 0; i < n; ++i) {
                const bool ok = bits(got[i]) == bits(want[i]) &&
                                (bits(got_decoded[i]) == bits(want_decoded[i]) ||
                                 (nan_scale(i) && std::isnan(got_decoded[i]) && std::isnan(want_decoded[i])));
                if (ok || ++failures > 10) continue;
                INFO("value " << i << ": " << got[i] << " vs " << want[i] << ", decoded " << got_decoded[i] << " vs "
                              << want_decoded[i]);
                CHECK(false);
            }
            CHECK(failures == 0);
        }
    }
}
