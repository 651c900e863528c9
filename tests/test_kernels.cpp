// Every SIMD kernel against the scalar reference, bit for bit: every
// optimizer and option, every length 0..4W+3 for the widest vector (W = 16),
// misaligned pointers, canaries after every buffer and in the arena's gaps.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

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

run_result run(const edgeopt_config& config, edgeopt_isa isa, std::size_t length, std::size_t misalign) {
    test::guarded_buffer params(test::random_values(length, 7 + static_cast<std::uint32_t>(length), 4.0f), misalign);
    std::vector<unsigned char> arena(edgeopt_state_bytes(&config, &length, 1) + misalign, arena_fill);
    edgeopt_optimizer opt;
    REQUIRE(edgeopt_init(&opt, &config, &length, 1, arena.data() + misalign, arena.size() - misalign) == EDGEOPT_OK);
    REQUIRE(edgeopt_set_isa(&opt, isa) == EDGEOPT_OK);
    run_result result;
    for (int s = 0; s < steps; ++s) {
        test::guarded_buffer grad(test::random_values(length, 1000 * s + static_cast<std::uint32_t>(length)),
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

}  // namespace

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
