// SPDX-License-Identifier: Apache-2.0
// The C++ wrapper (edgeopt.hpp): a static arena sized at compile time, the
// calls it forwards, and results bit-identical to the C API underneath.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "edgeopt/edgeopt.hpp"
#include "support.hpp"

doctest::String toString(edgeopt_status status);  // defined in test_api.cpp

namespace {

constexpr std::size_t length_a = 10;
constexpr std::size_t length_b = 33;
constexpr unsigned max_slots = 3;  // enough for every configuration

static_assert(edgeopt::arena_bytes(2, {length_a}) == EDGEOPT_ARENA_BYTES_1(2, length_a));
static_assert(edgeopt::arena_bytes(max_slots, {length_a, length_b}) <=
              EDGEOPT_ARENA_BYTES(max_slots, 2, length_a + length_b));
static_assert(edgeopt::arena_bytes(0, {length_a, length_b}) == 63 + 64, "slack and the lengths table only");

// No alignas: the arena may start anywhere.
unsigned char static_arena[edgeopt::arena_bytes(max_slots, {length_a, length_b})];

// Params and a gradient per step for the two tensors.
struct problem {
    std::vector<float> a = test::random_values(length_a, 7);
    std::vector<float> b = test::random_values(length_b, 8);
    std::vector<float> grad_a, grad_b;

    void new_grads(std::uint32_t step) {
        grad_a = test::random_values(length_a, 100 + step, 2.0f);
        grad_b = test::random_values(length_b, 200 + step, 2.0f);
    }
    std::vector<edgeopt::tensor> tensors() {
        return {{a.data(), grad_a.data(), length_a}, {b.data(), grad_b.data(), length_b}};
    }
};

// The same optimizer through the C API, with a heap arena.
struct c_twin {
    edgeopt_optimizer opt{};
    std::vector<unsigned char> arena;
    problem data;

    edgeopt_status init(const edgeopt_config& config) {
        const std::size_t lengths[] = {length_a, length_b};
        arena.resize(edgeopt_state_bytes(&config, lengths, 2));
        return edgeopt_init(&opt, &config, lengths, 2, arena.data(), arena.size());
    }
    edgeopt_status step() {
        const std::vector<edgeopt::tensor> t = data.tensors();
        return edgeopt_step(&opt, t.data(), t.size());
    }
};

bool same_floats(const float* a, const float* b, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        if (!test::same_bits(a[i], b[i])) return false;
    return true;
}

// Params, every state buffer and the step count agree bit for bit.
void check_same(const edgeopt::optimizer& cpp, problem& cpp_data, const c_twin& c) {
    CHECK_EQ(cpp.step_count(), edgeopt_step_count(&c.opt));
    CHECK(same_floats(cpp_data.a.data(), c.data.a.data(), length_a));
    CHECK(same_floats(cpp_data.b.data(), c.data.b.data(), length_b));
    const std::size_t lengths[] = {length_a, length_b};
    for (std::size_t i = 0; i < 2; ++i) {
        for (unsigned k = 0; k < 3; ++k) {
            const float* mine = cpp.state(i, k);
            const float* theirs = edgeopt_state_buffer(&c.opt, i, k);
            REQUIRE_EQ(mine == nullptr, theirs == nullptr);
            if (mine) CHECK(same_floats(mine, theirs, lengths[i]));
        }
    }
}

}  // namespace

TEST_CASE("C++ optimizer with a static arena equals the C API bit for bit, for every config and ISA") {
    for (const test::named_config& named : test::option_matrix()) {
        for (edgeopt_isa isa : test::available_isas()) {
            INFO(named.name, " on ", edgeopt_isa_name(isa));
            edgeopt::optimizer cpp;
            problem data;
            c_twin c;
            REQUIRE_EQ(cpp.init(named.config, std::array<std::size_t, 2>{length_a, length_b}, static_arena),
                       EDGEOPT_OK);
            REQUIRE_EQ(c.init(named.config), EDGEOPT_OK);
            REQUIRE_EQ(cpp.force_isa(isa), EDGEOPT_OK);
            REQUIRE_EQ(edgeopt_set_isa(&c.opt, isa), EDGEOPT_OK);
            CHECK_EQ(cpp.active_isa(), isa);
            CHECK_EQ(cpp.get_config().algorithm, named.config.algorithm);

            for (std::uint32_t s = 0; s < 6; ++s) {
                if (s == 3) {
                    REQUIRE_EQ(cpp.set_lr(0.004), EDGEOPT_OK);
                    REQUIRE_EQ(edgeopt_set_lr(&c.opt, 0.004), EDGEOPT_OK);
                }
                data.new_grads(s);
                c.data.new_grads(s);
                REQUIRE_EQ(cpp.step(data.tensors()), EDGEOPT_OK);
                REQUIRE_EQ(c.step(), EDGEOPT_OK);
                CHECK_EQ(cpp.step_count(), s + 1);
            }
            check_same(cpp, data, c);

            REQUIRE_EQ(cpp.reset(), EDGEOPT_OK);
            REQUIRE_EQ(edgeopt_reset(&c.opt), EDGEOPT_OK);
            CHECK_EQ(cpp.step_count(), 0u);
            REQUIRE_EQ(cpp.step(data.tensors()), EDGEOPT_OK);
            REQUIRE_EQ(c.step(), EDGEOPT_OK);
            check_same(cpp, data, c);
        }
    }
}

TEST_CASE("arena_bytes is the exact size edgeopt_state_bytes asks for") {
    const std::size_t lengths[] = {length_a, length_b};
    for (const test::named_config& named : test::option_matrix()) {
        INFO(named.name);
        const unsigned slots = edgeopt_state_slots(&named.config);
        CHECK_EQ(edgeopt::arena_bytes(slots, {length_a, length_b}), edgeopt_state_bytes(&named.config, lengths, 2));
        for (edgeopt_dtype d : {EDGEOPT_F32, EDGEOPT_BF16, EDGEOPT_F16, EDGEOPT_Q8}) {
            edgeopt_config c = named.config;
            for (edgeopt_dtype& s : c.state_dtype) s = d;
            CHECK_EQ(edgeopt::arena_bytes(slots, d, {length_a, length_b}), edgeopt_state_bytes(&c, lengths, 2));
        }
    }
}

static_assert(edgeopt::arena_bytes(2, EDGEOPT_Q8, {1000}) == 63 + 64 + 2 * 1088, "q8: 16 scales + 1000 codes, rounded");

// Issue 14: sizes wrapped around (EDGEOPT_ARENA_BYTES_1(1, 2^62) was 127).
// Now the C macros give 0, and arena_bytes() gives 0 at run time -- in a
// constant expression it does not compile (not testable here: see README).
// (SIZE_MAX / 4 is 2^62 with a 64-bit size_t, 2^30 with a 32-bit one.)
static_assert(EDGEOPT_ARENA_BYTES_1(1, SIZE_MAX / 4) == 0, "wraps: 0");
static_assert(EDGEOPT_ARENA_BYTES(3, 2, SIZE_MAX / 8) == 0, "wraps: 0");
static_assert(EDGEOPT_ARENA_BYTES_1(3, 1000) == 63 + 64 + 3 * 4032, "small sizes are unchanged");

TEST_CASE("arena_bytes() is 0 when the size would not fit in size_t") {
    volatile std::size_t huge = SIZE_MAX / 4;  // volatile: evaluated at run time
    const std::size_t n = huge;
    CHECK(edgeopt::arena_bytes(1, {n}) == 0);
    CHECK(edgeopt::arena_bytes(3, EDGEOPT_Q8, {n, n, n}) == 0);
    CHECK(edgeopt::arena_bytes(2, {std::size_t(-1)}) == 0);
    CHECK(edgeopt::arena_bytes(1, {n / 8}) == 63 + 64 + (4 * (n / 8) + 63) / 64 * 64);  // still exact
}

TEST_CASE("init takes lengths as an array, std::array, std::vector or a list, and reports errors as statuses") {
    const edgeopt::config config = edgeopt::defaults(EDGEOPT_ADAM);
    const std::size_t array[] = {length_a, length_b};
    const std::vector<std::size_t> vector = {length_a, length_b};
    edgeopt::optimizer opt;
    CHECK_EQ(opt.init(config, array, static_arena), EDGEOPT_OK);
    CHECK_EQ(opt.init(config, vector, static_arena), EDGEOPT_OK);
    CHECK_EQ(opt.init(config, {length_a, length_b}, static_arena), EDGEOPT_OK);
    CHECK_EQ(opt.init(config, {array, 2}, static_arena, sizeof static_arena), EDGEOPT_OK);
    CHECK_EQ(opt.init(config, {length_a, length_b}, static_arena, edgeopt::arena_bytes(2, {length_a, length_b}) - 1),
             EDGEOPT_ERR_ARENA_TOO_SMALL);
    CHECK_NE(std::string(edgeopt::message(EDGEOPT_ERR_ARENA_TOO_SMALL)), "");

    problem data;
    data.new_grads(0);
    const std::vector<edgeopt::tensor> all = data.tensors();
    CHECK_EQ(opt.step({all.data(), 1}), EDGEOPT_ERR_TENSOR_COUNT_MISMATCH);
    CHECK_EQ(opt.step(all), EDGEOPT_OK);
    CHECK_EQ(opt.set_lr(-1.0), EDGEOPT_ERR_INVALID_LR);
    edgeopt::config amsgrad = config;
    amsgrad.adam.amsgrad = true;
    CHECK_EQ(opt.set_config(amsgrad), EDGEOPT_ERR_LAYOUT_CHANGE);
    CHECK_EQ(opt.force_isa(EDGEOPT_ISA_COUNT), EDGEOPT_ERR_UNKNOWN_ISA);
    CHECK_EQ(opt.step_count(), 1u);
    CHECK_EQ(opt.state(2, 0), nullptr);
    CHECK_EQ(opt.c_handle()->tensor_count, 2u);
}
