// SPDX-License-Identifier: Apache-2.0
// Every SIMD kernel against the scalar reference, bit for bit: every
// optimizer and option, every length 0..4W+3 for the widest vector (W = 16),
// misaligned pointers, canaries after every buffer and in the arena's gaps;
// then data and hyper-parameters at the bottom of the float range, where a
// kernel that flushes subnormals to zero (ARMv7 NEON, Helium) would differ.
#include <doctest/doctest.h>

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <vector>

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

#include "support.hpp"

namespace {

constexpr std::size_t max_length = 4 * 16 + 3;
constexpr int steps = 4;
constexpr unsigned char arena_fill = 0xA5;

struct run_result {
    std::vector<float> params;
    std::vector<std::vector<float>> state;  // one per used slot
    bool canaries_intact = true;
};

// True if every arena byte outside the lengths table and the state slices
// still holds the fill pattern.
bool arena_gaps_intact(const edgeopt_optimizer& opt, const std::vector<unsigned char>& arena, std::size_t length) {
    std::vector<bool> used(arena.size(), false);
    auto mark = [&](const void* p, std::size_t bytes) {
        const std::size_t start = static_cast<const unsigned char*>(p) - arena.data();
        for (std::size_t i = 0; i < bytes; ++i) used[start + i] = true;
    };
    mark(opt.lengths, sizeof(std::size_t));
    for (unsigned k = 0; k < 3; ++k)
        if (const float* s = edgeopt_state_buffer(&opt, 0, k)) mark(s, length * sizeof(float));
    for (std::size_t i = 0; i < arena.size(); ++i)
        if (!used[i] && arena[i] != arena_fill) return false;
    return true;
}

using value_source = std::vector<float> (*)(std::size_t n, std::uint32_t seed, float scale);

run_result run(const edgeopt_config& config, edgeopt_isa isa, std::size_t length, std::size_t misalign,
               value_source values = test::random_values, int step_count = steps) {
    test::guarded_buffer params(values(length, 7 + static_cast<std::uint32_t>(length), 4.0f), misalign);
    std::vector<unsigned char> arena(edgeopt_state_bytes(&config, &length, 1) + misalign, arena_fill);
    edgeopt_optimizer opt;
    REQUIRE(edgeopt_init(&opt, &config, &length, 1, arena.data() + misalign, arena.size() - misalign) == EDGEOPT_OK);
    REQUIRE(edgeopt_set_isa(&opt, isa) == EDGEOPT_OK);
    run_result result;
    for (int s = 0; s < step_count; ++s) {
        test::guarded_buffer grad(values(length, 1000 * s + static_cast<std::uint32_t>(length), 1.0f),
                                  (misalign + 1) % 4);
        const edgeopt_tensor tensor{params.data(), grad.data(), length};
        REQUIRE(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK);
        result.canaries_intact &= grad.canaries_intact();
    }
    result.canaries_intact &= params.canaries_intact() && arena_gaps_intact(opt, arena, length);
    result.params = params.values();
    for (unsigned k = 0; k < 3; ++k)
        if (const float* s = edgeopt_state_buffer(&opt, 0, k)) result.state.emplace_back(s, s + length);
    return result;
}

std::size_t first_difference(const std::vector<float>& a, const std::vector<float>& b) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!test::same_bits(a[i], b[i])) return i;
    return a.size();
}

bool same_result(const run_result& a, const run_result& b) {
    if (first_difference(a.params, b.params) != a.params.size() || a.state.size() != b.state.size()) return false;
    for (std::size_t k = 0; k < a.state.size(); ++k)
        if (first_difference(a.state[k], b.state[k]) != a.state[k].size()) return false;
    return true;
}

bool subnormal(float x) { return std::fpclassify(x) == FP_SUBNORMAL; }

// Values where flush-to-zero shows: a quarter subnormal, a quarter among the
// smallest normals, a quarter whose squares and products are subnormal
// (2^-75..2^-60), the rest zeros, −0 and ordinary values that mix with them.
std::vector<float> tiny_values(std::size_t n, std::uint32_t seed, float scale) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::uint32_t> mantissa(0, (1u << 23) - 1), pick(0, 15), coin(0, 1);
    std::uniform_int_distribution<int> exponent(-75, -60);
    std::vector<float> v(n);
    for (float& x : v) {
        // One draw per statement, so the sequence does not depend on the
        // compiler's evaluation order.
        const std::uint32_t kind = pick(rng);
        const std::uint32_t sign = coin(rng) << 31;
        const std::uint32_t low_bits = mantissa(rng);
        const std::uint32_t small = pick(rng);
        if (kind < 4) {  // subnormal
            const std::uint32_t bits = sign | std::max(1u, low_bits);
            std::memcpy(&x, &bits, 4);
        } else if (kind < 8) {  // 2^-126 ≤ |x| < 2^-122
            const std::uint32_t bits = sign | (1 + small % 4) << 23 | low_bits;
            std::memcpy(&x, &bits, 4);
        } else if (kind < 12) {
            x = std::ldexp(sign ? -1.25f : 1.5f, exponent(rng));
        } else if (kind == 12) {
            x = sign ? -0.0f : 0.0f;
        } else {
            x = scale * std::ldexp(sign ? -0.625f : 0.75f, static_cast<int>(small % 8) - 4);
        }
    }
    return v;
}

// While alive, the scalar FPU flushes subnormal operands and results to
// zero, as ARMv7 NEON and Helium always do: the reference then behaves like
// a flushing kernel.  (x86: MXCSR FTZ and DAZ; ARM: FPCR/FPSCR.FZ.)
class flush_to_zero {
public:
#if defined(__SSE2__)
    static constexpr bool supported = true;
    flush_to_zero() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }
    ~flush_to_zero() { _mm_setcsr(saved_); }
private:
    unsigned saved_;
#elif defined(__aarch64__)
    static constexpr bool supported = true;
    flush_to_zero() {
        __asm__ volatile("mrs %0, fpcr" : "=r"(saved_));
        __asm__ volatile("msr fpcr, %0" : : "r"(saved_ | (1ull << 24)));
    }
    ~flush_to_zero() { __asm__ volatile("msr fpcr, %0" : : "r"(saved_)); }
private:
    std::uint64_t saved_;
#elif defined(__arm__) && defined(__ARM_FP)
    static constexpr bool supported = true;
    flush_to_zero() {
        __asm__ volatile("vmrs %0, fpscr" : "=r"(saved_));
        __asm__ volatile("vmsr fpscr, %0" : : "r"(saved_ | (1u << 24)));
    }
    ~flush_to_zero() { __asm__ volatile("vmsr fpscr, %0" : : "r"(saved_)); }
private:
    std::uint32_t saved_;
#else
    static constexpr bool supported = false;
#endif
};

// The option matrix, plus hyper-parameters that are themselves subnormal as
// floats, so the per-step coefficients are too.
std::vector<test::named_config> tiny_option_matrix() {
    std::vector<test::named_config> all = test::option_matrix();
    auto add = [&](const char* name, edgeopt_algorithm a, auto&& tweak) {
        edgeopt_config c = edgeopt_defaults(a);
        tweak(c);
        all.push_back({name, c});
    };
    add("sgd tiny lr momentum", EDGEOPT_SGD, [](edgeopt_config& c) { c.sgd = {1e-40, 0.9, 0.0, 0.0, false, false}; });
    add("adagrad tiny eps wd", EDGEOPT_ADAGRAD, [](edgeopt_config& c) {
        c.adagrad = {0.1, 0.0, 1e-39, 0.0, 1e-42, false};
    });
    add("rmsprop tiny eps centered", EDGEOPT_RMSPROP, [](edgeopt_config& c) {
        c.rmsprop = {0.01, 0.99, 1e-41, 0.0, 0.5, true, false};
    });
    add("adadelta tiny eps", EDGEOPT_ADADELTA, [](edgeopt_config& c) { c.adadelta.eps = 1e-40; });
    add("adam tiny eps wd amsgrad", EDGEOPT_ADAM, [](edgeopt_config& c) {
        c.adam = {0.001, 0.9, 0.999, 1e-40, 1e-39, true, false};
    });
    add("adamax tiny eps", EDGEOPT_ADAMAX, [](edgeopt_config& c) { c.adamax.eps = 1e-40; });
    add("nadam tiny eps", EDGEOPT_NADAM, [](edgeopt_config& c) { c.nadam.eps = 1e-40; });
    add("radam tiny eps", EDGEOPT_RADAM, [](edgeopt_config& c) { c.radam.eps = 1e-40; });
    add("lion tiny lr wd", EDGEOPT_LION, [](edgeopt_config& c) { c.lion = {1e-40, 0.9, 0.99, 0.1}; });
    add("rprop tiny step sizes", EDGEOPT_RPROP, [](edgeopt_config& c) { c.rprop = {1e-40, 0.5, 1.2, 1e-42, 1e-39, false}; });
    add("asgd tiny lr wd", EDGEOPT_ASGD, [](edgeopt_config& c) { c.asgd = {1e-40, 1e-4, 0.75, 0.0, 1e-39, false}; });
    return all;
}

constexpr std::size_t tiny_lengths[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 19, 37};

}  // namespace

TEST_CASE("every kernel this suite can run is declared bit-exact") {
    // The sweeps below require the reference's bits.  A kernel that meets a
    // weaker contract (edgeopt_isa_bit_exact false, like Helium's
    // flush-to-zero) needs its own bound here before it can be added.
    for (edgeopt_isa isa : test::available_isas()) {
        const std::string isa_name = edgeopt_isa_name(isa);
        CAPTURE(isa_name);
        CHECK(edgeopt_isa_bit_exact(isa));
    }
}

TEST_CASE("every kernel is bit-identical to the scalar reference") {
    const auto isas = test::available_isas();
    MESSAGE("kernels available here: ", isas.size());
    for (edgeopt_isa isa : isas) {
        for (const test::named_config& c : test::option_matrix()) {
            for (std::size_t length = 0; length <= max_length; ++length) {
                for (std::size_t misalign = 0; misalign < 4; ++misalign) {
                    const std::string isa_name = edgeopt_isa_name(isa);
                    CAPTURE(isa_name);
                    CAPTURE(c.name);
                    CAPTURE(length);
                    CAPTURE(misalign);
                    const run_result want = run(c.config, EDGEOPT_ISA_SCALAR, length, misalign);
                    const run_result got = run(c.config, isa, length, misalign);
                    REQUIRE(got.canaries_intact);
                    REQUIRE(first_difference(got.params, want.params) == length);
                    REQUIRE(got.state.size() == want.state.size());
                    for (std::size_t k = 0; k < got.state.size(); ++k)
                        REQUIRE(first_difference(got.state[k], want.state[k]) == length);
                }
            }
        }
    }
}

TEST_CASE("every kernel is bit-identical to the scalar reference once RAdam rectifies") {
    // ρₜ > 5 from step 6 at the earliest, so the 4-step sweep above only runs
    // RAdam's unrectified branch.
    for (edgeopt_isa isa : test::available_isas()) {
        for (const test::named_config& c : test::option_matrix()) {
            if (c.config.algorithm != EDGEOPT_RADAM) continue;
            for (std::size_t length : {std::size_t{1}, std::size_t{16}, max_length}) {
                const std::string isa_name = edgeopt_isa_name(isa);
                CAPTURE(isa_name);
                CAPTURE(c.name);
                CAPTURE(length);
                const run_result want = run(c.config, EDGEOPT_ISA_SCALAR, length, 1, test::random_values, 9);
                const run_result got = run(c.config, isa, length, 1, test::random_values, 9);
                REQUIRE(got.canaries_intact);
                CHECK(first_difference(got.params, want.params) == length);
                for (std::size_t k = 0; k < want.state.size(); ++k)
                    CHECK(first_difference(got.state[k], want.state[k]) == length);
            }
        }
    }
}

TEST_CASE("the sweep notices a wrong result") {
    // Control for the comparison above: one flipped bit must be found.
    std::vector<float> a = test::random_values(40, 3), b = a;
    std::uint32_t bits;
    std::memcpy(&bits, &b[17], 4);
    bits ^= 1u;
    std::memcpy(&b[17], &bits, 4);
    CHECK(first_difference(a, b) == 17);
}

TEST_CASE("every kernel rounds a fused multiply-add once, even on a near-tie") {
    // SGD's update is θ ← fma(−lr, g, θ).  Here −lr·g = 2^-24·(1 − 2^-46) lands
    // just below the midpoint between θ = 1 + 2^-23 and its successor, so the
    // correctly rounded result is θ itself; a*b + c rounded twice, or a double
    // computation rounded twice, lands on the tie and rounds up to 1 + 2^-22.
    const float theta = 1.0f + std::ldexp(1.0f, -23);
    const float grad_value = -std::ldexp(1.0f - std::ldexp(1.0f, -23), -24);
    edgeopt_config config = edgeopt_defaults(EDGEOPT_SGD);
    config.sgd.lr = 1.0 + std::ldexp(1.0, -23);
    for (edgeopt_isa isa : test::available_isas()) {
        const std::string isa_name = edgeopt_isa_name(isa);
        CAPTURE(isa_name);
        const std::size_t length = 37;  // vector body and tail
        std::vector<float> params(length, theta), grad(length, grad_value);
        std::vector<unsigned char> arena(edgeopt_state_bytes(&config, &length, 1));
        edgeopt_optimizer opt;
        REQUIRE(edgeopt_init(&opt, &config, &length, 1, arena.data(), arena.size()) == EDGEOPT_OK);
        REQUIRE(edgeopt_set_isa(&opt, isa) == EDGEOPT_OK);
        const edgeopt_tensor tensor{params.data(), grad.data(), length};
        REQUIRE(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK);
        for (float p : params) CHECK(test::same_bits(p, theta));
    }
}

TEST_CASE("the subnormal sweep's data is where flush-to-zero shows") {
    // Control for the sweep below: the reference itself, run on an FPU set to
    // flush subnormals, must give other bits for nearly every option and
    // length (else the sweep could not tell a flushing kernel from an exact
    // one), and the exact results must hold subnormals.
    if (!flush_to_zero::supported) {
        MESSAGE("no flush-to-zero control on this FPU");
        return;
    }
    std::size_t changed = 0, total = 0, subnormal_results = 0;
    for (const test::named_config& c : tiny_option_matrix()) {
        std::size_t changed_here = 0;
        for (std::size_t length : tiny_lengths) {
            const run_result exact = run(c.config, EDGEOPT_ISA_SCALAR, length, 0, tiny_values);
            run_result flushed;
            {
                const flush_to_zero scope;
                flushed = run(c.config, EDGEOPT_ISA_SCALAR, length, 0, tiny_values);
            }
            changed_here += !same_result(exact, flushed);
            subnormal_results += std::count_if(exact.params.begin(), exact.params.end(), subnormal);
            for (const auto& slot : exact.state)
                subnormal_results += std::count_if(slot.begin(), slot.end(), subnormal);
        }
        CHECK_MESSAGE(changed_here > 0, c.name);
        changed += changed_here;
        total += std::size(tiny_lengths);
    }
    // Short runs see few values: measured 292 of 352 on x86 (MXCSR) and ARM.
    MESSAGE("flushing changes ", changed, " of ", total, " runs; ", subnormal_results, " subnormal results");
    CHECK(changed * 4 >= total * 3);
    CHECK(subnormal_results >= 1000);
}

TEST_CASE("every kernel gives the reference's bits where subnormals appear") {
    // Subnormal inputs, products, results and hyper-parameters, mixed with
    // ordinary values in the same vectors.  ARMv7 NEON flushes all of them
    // to zero; its kernels must notice and still return the reference's bits.
    for (edgeopt_isa isa : test::available_isas()) {
        if (isa == EDGEOPT_ISA_SCALAR) continue;
        for (const test::named_config& c : tiny_option_matrix()) {
            for (std::size_t length : tiny_lengths) {
                for (std::size_t misalign = 0; misalign < 2; ++misalign) {
                    const std::string isa_name = edgeopt_isa_name(isa);
                    CAPTURE(isa_name);
                    CAPTURE(c.name);
                    CAPTURE(length);
                    CAPTURE(misalign);
                    const run_result want = run(c.config, EDGEOPT_ISA_SCALAR, length, misalign, tiny_values);
                    const run_result got = run(c.config, isa, length, misalign, tiny_values);
                    REQUIRE(got.canaries_intact);
                    REQUIRE(first_difference(got.params, want.params) == length);
                    REQUIRE(got.state.size() == want.state.size());
                    for (std::size_t k = 0; k < got.state.size(); ++k)
                        REQUIRE(first_difference(got.state[k], want.state[k]) == length);
                }
            }
        }
    }
}

// Mostly signed zeros, so that −g, β·0 and sums of zeros decide a result's
// sign: xsimd 8.1's AVX-512 negation (0 − x) turned −(+0) into +0 here.
std::vector<float> signed_zeros(std::size_t n, std::uint32_t seed, float) {
    std::mt19937 rng(seed);
    std::vector<float> v(n);
    for (float& x : v) {
        const std::uint32_t r = rng();
        x = (r & 7u) == 0 ? ((r & 8u) ? -0.5f : 0.25f) : ((r & 16u) ? -0.0f : 0.0f);
    }
    return v;
}

// Ordinary values with a NaN or an infinity here and there: max(NaN, x)
// must be NaN on every kernel (xsimd 8.1's AVX != missed NaN).
std::vector<float> with_nonfinite(std::size_t n, std::uint32_t seed, float scale) {
    std::vector<float> v = test::random_values(n, seed, scale);
    std::mt19937 rng(seed ^ 0x9E3779B9u);
    for (float& x : v) {
        const std::uint32_t r = rng() % 24;
        if (r == 0) x = NAN;
        if (r == 1) x = (rng() & 1u) ? INFINITY : -INFINITY;
    }
    return v;
}

// Every SIMD kernel against the reference on one kind of data, every option.
static void sweep_special_data(value_source values, std::initializer_list<std::size_t> lengths, std::size_t misalign) {
    for (edgeopt_isa isa : test::available_isas()) {
        if (isa == EDGEOPT_ISA_SCALAR) continue;
        for (const test::named_config& c : test::option_matrix()) {
            for (std::size_t length : lengths) {
                const std::string isa_name = edgeopt_isa_name(isa);
                CAPTURE(isa_name);
                CAPTURE(c.name);
                CAPTURE(length);
                const run_result want = run(c.config, EDGEOPT_ISA_SCALAR, length, misalign, values);
                const run_result got = run(c.config, isa, length, misalign, values);
                REQUIRE(first_difference(got.params, want.params) == length);
                REQUIRE(got.state.size() == want.state.size());
                for (std::size_t k = 0; k < got.state.size(); ++k)
                    REQUIRE(first_difference(got.state[k], want.state[k]) == length);
            }
        }
    }
}

TEST_CASE("every kernel puts NaN and infinity where the reference does") {
    sweep_special_data(with_nonfinite, {5u, 37u, 67u}, 1);
}

TEST_CASE("every kernel keeps the sign of zero as the reference does") { sweep_special_data(signed_zeros, {67u}, 0); }

TEST_CASE("a step leaves the caller's floating-point exception flags raised") {
    // The NEONv7 kernels clear and read FPSCR's underflow flags to spot
    // flushing; they must put back what the caller had raised.
    for (edgeopt_isa isa : test::available_isas()) {
        const std::string isa_name = edgeopt_isa_name(isa);
        CAPTURE(isa_name);
        edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAM);
        const std::size_t length = 37;
        std::vector<float> params = tiny_values(length, 1, 1.0f), grad = tiny_values(length, 2, 1.0f);
        std::vector<unsigned char> arena(edgeopt_state_bytes(&config, &length, 1));
        edgeopt_optimizer opt;
        REQUIRE(edgeopt_init(&opt, &config, &length, 1, arena.data(), arena.size()) == EDGEOPT_OK);
        REQUIRE(edgeopt_set_isa(&opt, isa) == EDGEOPT_OK);
        const edgeopt_tensor tensor{params.data(), grad.data(), length};
        std::feclearexcept(FE_ALL_EXCEPT);
        std::feraiseexcept(FE_UNDERFLOW);
        REQUIRE(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK);
        CHECK(std::fetestexcept(FE_UNDERFLOW));
        std::feclearexcept(FE_ALL_EXCEPT);
    }
}
