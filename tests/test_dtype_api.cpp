// SPDX-License-Identifier: Apache-2.0
// The C API around low-precision tensors and state: exact arena sizes, named
// errors that leave everything untouched, inspection, the guard, checkpoints.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "edgeopt/checkpoint.h"
#include "edgeopt/train.h"
#include "kernel/convert.hpp"
#include "support.hpp"

namespace {

edgeopt_config adam_with(edgeopt_dtype first, edgeopt_dtype second) {
    edgeopt_config c = edgeopt_defaults(EDGEOPT_ADAM);
    c.state_dtype[0] = first;
    c.state_dtype[1] = second;
    return c;
}

// Every state value of every tensor, widened.
std::vector<float> all_state(const edgeopt_optimizer& opt, const std::size_t* lengths, std::size_t count) {
    std::vector<float> out;
    for (std::size_t i = 0; i < count; ++i) {
        for (unsigned k = 0; k < 3; ++k) {
            std::vector<float> values(lengths[i]);
            if (edgeopt_state_read(&opt, i, k, values.data()) == EDGEOPT_OK)
                out.insert(out.end(), values.begin(), values.end());
        }
    }
    return out;
}

bool same_values(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!test::same_bits(a[i], b[i])) return false;
    return true;
}

std::vector<std::uint16_t> bf16_of(const std::vector<float>& v) {
    std::vector<std::uint16_t> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        out[i] = static_cast<std::uint16_t>(edgeopt::kernel::bf16_narrow<float>(v[i]));
    return out;
}

}  // namespace

TEST_CASE("state_bytes is exact for every state dtype, and per-parameter bytes are tabled") {
    const std::size_t lengths[3] = {1, 64, 1000};
    for (edgeopt_dtype d : {EDGEOPT_F32, EDGEOPT_BF16, EDGEOPT_F16, EDGEOPT_Q8}) {
        const edgeopt_config c = adam_with(d, d);
        const std::size_t need = edgeopt_state_bytes(&c, lengths, 3);
        REQUIRE(need != 0);
        std::vector<unsigned char> arena(need);
        edgeopt_optimizer opt;
        CHECK(edgeopt_init(&opt, &c, lengths, 3, arena.data(), need - 1) == EDGEOPT_ERR_ARENA_TOO_SMALL);
        CHECK(edgeopt_init(&opt, &c, lengths, 3, arena.data(), need) == EDGEOPT_OK);
    }
    const edgeopt_config f32 = adam_with(EDGEOPT_F32, EDGEOPT_F32), bf16 = adam_with(EDGEOPT_BF16, EDGEOPT_BF16),
                         q8 = adam_with(EDGEOPT_Q8, EDGEOPT_Q8);
    CHECK(edgeopt_state_bytes_per_param(&f32) == 8.0);
    CHECK(edgeopt_state_bytes_per_param(&bf16) == 4.0);
    CHECK(edgeopt_state_bytes_per_param(&q8) == 2.125);
    // 1000 values as q8: 16 scales (64 bytes) + 1000 codes, rounded to 1088; two slots.
    const std::size_t one[1] = {1000};
    CHECK(edgeopt_state_bytes(&q8, one, 1) - edgeopt_state_bytes(&f32, one, 1) == 2 * 1088 - 2 * 4032);
}

TEST_CASE("bad dtypes and roundings are named errors and change nothing") {
    edgeopt_config c = adam_with(EDGEOPT_Q8, EDGEOPT_BF16);
    // Invalid values within each enum's range of values, so that the casts are defined.
    c.state_dtype[2] = static_cast<edgeopt_dtype>(EDGEOPT_DTYPE_COUNT + 2);
    CHECK(edgeopt_validate(&c) == EDGEOPT_ERR_INVALID_DTYPE);
    c.state_dtype[2] = EDGEOPT_F32;
    c.param_rounding = static_cast<edgeopt_rounding>(3);
    CHECK(edgeopt_validate(&c) == EDGEOPT_ERR_INVALID_ROUNDING);
    c.param_rounding = EDGEOPT_ROUND_STOCHASTIC;
    REQUIRE(edgeopt_validate(&c) == EDGEOPT_OK);

    const std::size_t lengths[1] = {10};
    std::vector<unsigned char> arena(edgeopt_state_bytes(&c, lengths, 1));
    edgeopt_optimizer opt;
    REQUIRE(edgeopt_init(&opt, &c, lengths, 1, arena.data(), arena.size()) == EDGEOPT_OK);
    std::vector<std::uint16_t> p(10, 0x3F80), g(10, 0x3F80);
    const std::vector<unsigned char> arena_before = arena;
    const edgeopt_optimizer opt_before = opt;
    auto untouched = [&] {
        CHECK(arena == arena_before);
        CHECK(std::memcmp(&opt, &opt_before, sizeof opt) == 0);
        CHECK(p == std::vector<std::uint16_t>(10, 0x3F80));
    };
    edgeopt_tensor t = edgeopt_tensor_of(p.data(), EDGEOPT_Q8, g.data(), EDGEOPT_BF16, 10);
    CHECK(edgeopt_step(&opt, &t, 1) == EDGEOPT_ERR_INVALID_DTYPE);  // q8 is for state only
    untouched();
    t = edgeopt_tensor_of(p.data(), EDGEOPT_BF16, g.data(), EDGEOPT_DTYPE_COUNT, 10);
    CHECK(edgeopt_step(&opt, &t, 1) == EDGEOPT_ERR_INVALID_DTYPE);
    untouched();
    t = edgeopt_tensor_of(p.data(), EDGEOPT_F16, g.data(), EDGEOPT_F16, 10);
    CHECK(edgeopt_step(&opt, &t, 1) == EDGEOPT_ERR_INVALID_ROUNDING);  // stochastic is for bf16
    untouched();
    // A 16-bit gradient that overlaps its parameter by one element.
    t = edgeopt_tensor_of(p.data(), EDGEOPT_BF16, p.data() + 9, EDGEOPT_BF16, 10);
    CHECK(edgeopt_step(&opt, &t, 1) == EDGEOPT_ERR_OVERLAP);
    untouched();
    // State dtypes are layout: set_config may not change them.
    edgeopt_config other = c;
    other.state_dtype[0] = EDGEOPT_F16;
    CHECK(edgeopt_set_config(&opt, &other) == EDGEOPT_ERR_LAYOUT_CHANGE);
    other = c;
    other.state_dtype[2] = EDGEOPT_Q8;  // slot 2 unused without amsgrad: not a change
    other.seed = 99;
    CHECK(edgeopt_set_config(&opt, &other) == EDGEOPT_OK);
    CHECK(edgeopt_state_buffer(&opt, 0, 0) == nullptr);  // q8: not a float array
    float values[10];
    CHECK(edgeopt_state_read(&opt, 0, 2, values) == EDGEOPT_ERR_NO_SUCH_STATE);
    CHECK(edgeopt_state_read(&opt, 1, 0, values) == EDGEOPT_ERR_NO_SUCH_STATE);
    CHECK(edgeopt_state_read(&opt, 0, 0, values) == EDGEOPT_OK);
}

TEST_CASE("initial state is stored in the slot's dtype (AdaGrad's accumulator)") {
    for (edgeopt_dtype d : {EDGEOPT_BF16, EDGEOPT_F16, EDGEOPT_Q8}) {
        edgeopt_config c = edgeopt_defaults(EDGEOPT_ADAGRAD);
        c.adagrad.initial_accumulator_value = 0.1;
        c.state_dtype[0] = d;
        const std::size_t lengths[1] = {70};
        std::vector<unsigned char> arena(edgeopt_state_bytes(&c, lengths, 1));
        edgeopt_optimizer opt;
        REQUIRE(edgeopt_init(&opt, &c, lengths, 1, arena.data(), arena.size()) == EDGEOPT_OK);
        std::vector<float> values(70);
        REQUIRE(edgeopt_state_read(&opt, 0, 0, values.data()) == EDGEOPT_OK);
        const float tolerance = d == EDGEOPT_BF16 ? 0.1f / 256 : 0.1f / 2048;
        for (float v : values) CHECK(std::fabs(v - 0.1f) <= tolerance);  // q8: the block scale itself
    }
}

TEST_CASE("the non-finite guard reads bf16 and f16 gradients") {
    edgeopt_config c = edgeopt_defaults(EDGEOPT_SGD);
    c.sgd.lr = 0.1;
    const std::size_t lengths[1] = {4};
    std::vector<unsigned char> arena(edgeopt_state_bytes(&c, lengths, 1));
    edgeopt_optimizer opt;
    REQUIRE(edgeopt_init(&opt, &c, lengths, 1, arena.data(), arena.size()) == EDGEOPT_OK);
    std::vector<std::uint16_t> p(4, 0x3F80), g(4, 0x3F80);
    edgeopt_guard guard{};
    const edgeopt_tensor bf = edgeopt_tensor_of(p.data(), EDGEOPT_BF16, g.data(), EDGEOPT_BF16, 4);
    CHECK(edgeopt_step_guarded(&opt, &guard, &bf, 1) == EDGEOPT_OK);
    g[3] = 0x7F80;  // bf16 +Inf
    CHECK(edgeopt_step_guarded(&opt, &guard, &bf, 1) == EDGEOPT_ERR_NONFINITE_GRADIENT);
    g[3] = 0x7C00;  // an ordinary bf16 (2^121), but f16 +Inf
    CHECK(edgeopt_step_guarded(&opt, &guard, &bf, 1) == EDGEOPT_OK);
    const edgeopt_tensor half = edgeopt_tensor_of(p.data(), EDGEOPT_F16, g.data(), EDGEOPT_F16, 4);
    CHECK(edgeopt_step_guarded(&opt, &guard, &half, 1) == EDGEOPT_ERR_NONFINITE_GRADIENT);
    CHECK(guard.steps_skipped == 2);
}

TEST_CASE("a checkpoint records state dtypes and resumes q8/bf16 state bit for bit") {
    edgeopt_config c = adam_with(EDGEOPT_Q8, EDGEOPT_BF16);
    c.param_rounding = EDGEOPT_ROUND_STOCHASTIC;
    c.seed = 7;
    const std::size_t lengths[2] = {100, 3};
    std::vector<unsigned char> arena(edgeopt_state_bytes(&c, lengths, 2));
    edgeopt_optimizer opt;
    REQUIRE(edgeopt_init(&opt, &c, lengths, 2, arena.data(), arena.size()) == EDGEOPT_OK);
    std::vector<std::uint16_t> p0 = bf16_of(test::random_values(100, 1)), p1 = bf16_of(test::random_values(3, 2));
    auto step = [&](edgeopt_optimizer& o, std::vector<std::uint16_t>& a, std::vector<std::uint16_t>& b, int k) {
        const std::vector<std::uint16_t> g0 = bf16_of(test::random_values(100, 10 + k));
        const std::vector<std::uint16_t> g1 = bf16_of(test::random_values(3, 20 + k));
        const edgeopt_tensor t[2] = {edgeopt_tensor_of(a.data(), EDGEOPT_BF16, g0.data(), EDGEOPT_BF16, 100),
                                     edgeopt_tensor_of(b.data(), EDGEOPT_BF16, g1.data(), EDGEOPT_BF16, 3)};
        REQUIRE(edgeopt_step(&o, t, 2) == EDGEOPT_OK);
    };
    for (int k = 0; k < 3; ++k) step(opt, p0, p1, k);
    std::vector<unsigned char> image(edgeopt_checkpoint_bytes(&opt, 0));
    REQUIRE(!image.empty());
    CHECK(image.size() == 32 + 72 + 16 + (100 + 4 * 2 + 3 + 4) + 2 * 103 + 4);  // q8 codes + scales, bf16
    REQUIRE(edgeopt_checkpoint_write(&opt, nullptr, 0, nullptr, 0, image.data(), image.size(), nullptr) == EDGEOPT_OK);
    edgeopt_checkpoint_info info;
    REQUIRE(edgeopt_checkpoint_image_info(image.data(), image.size(), &info) == EDGEOPT_OK);
    CHECK(info.format_version == 2);

    // Another state dtype: a mismatch, nothing touched.
    edgeopt_config f32 = c;
    f32.state_dtype[0] = EDGEOPT_F32;
    std::vector<unsigned char> other_arena(edgeopt_state_bytes(&f32, lengths, 2));
    edgeopt_optimizer other;
    REQUIRE(edgeopt_init(&other, &f32, lengths, 2, other_arena.data(), other_arena.size()) == EDGEOPT_OK);
    CHECK(edgeopt_checkpoint_read(&other, nullptr, 0, nullptr, 0, nullptr, image.data(), image.size()) ==
          EDGEOPT_ERR_CHECKPOINT_MISMATCH);
    CHECK(edgeopt_step_count(&other) == 0);

    std::vector<unsigned char> resumed_arena(arena.size());
    edgeopt_optimizer resumed;
    REQUIRE(edgeopt_init(&resumed, &c, lengths, 2, resumed_arena.data(), resumed_arena.size()) == EDGEOPT_OK);
    REQUIRE(edgeopt_checkpoint_read(&resumed, nullptr, 0, nullptr, 0, nullptr, image.data(), image.size()) ==
            EDGEOPT_OK);
    CHECK(same_values(all_state(resumed, lengths, 2), all_state(opt, lengths, 2)));
    std::vector<std::uint16_t> q0 = p0, q1 = p1;
    for (int k = 3; k < 6; ++k) {
        step(opt, p0, p1, k);
        step(resumed, q0, q1, k);
    }
    CHECK(p0 == q0);
    CHECK(p1 == q1);
    CHECK(same_values(all_state(resumed, lengths, 2), all_state(opt, lengths, 2)));
    // Parameters in a checkpoint must be float32.
    const std::vector<std::uint16_t> g0(100), g1(3);
    const edgeopt_tensor t[2] = {edgeopt_tensor_of(p0.data(), EDGEOPT_BF16, g0.data(), EDGEOPT_BF16, 100),
                                 edgeopt_tensor_of(p1.data(), EDGEOPT_BF16, g1.data(), EDGEOPT_BF16, 3)};
    std::vector<unsigned char> big(image.size() + 4096);
    CHECK(edgeopt_checkpoint_write(&opt, t, 2, nullptr, 0, big.data(), big.size(), nullptr) ==
          EDGEOPT_ERR_DTYPE_UNSUPPORTED);
}

TEST_CASE("edgeopt_convert widens exactly, narrows to nearest even, and refuses q8 and overlaps") {
    const std::vector<float> values = test::random_values(300, 3);
    for (edgeopt_dtype d : {EDGEOPT_BF16, EDGEOPT_F16}) {
        std::vector<std::uint16_t> narrow(values.size());
        REQUIRE(edgeopt_convert(values.data(), EDGEOPT_F32, narrow.data(), d, values.size()) == EDGEOPT_OK);
        std::vector<float> wide(values.size());
        REQUIRE(edgeopt_convert(narrow.data(), d, wide.data(), EDGEOPT_F32, values.size()) == EDGEOPT_OK);
        for (std::size_t i = 0; i < values.size(); ++i) {
            const auto want = static_cast<std::uint16_t>(d == EDGEOPT_BF16 ? edgeopt::kernel::bf16_narrow<float>(values[i])
                                                                           : edgeopt::kernel::f16_narrow<float>(values[i]));
            CHECK(narrow[i] == want);
            const float back = d == EDGEOPT_BF16 ? edgeopt::kernel::bf16_widen<float>(want)
                                                 : edgeopt::kernel::f16_widen<float>(want);
            CHECK(test::same_bits(wide[i], back));
        }
        // Narrowing what was widened gives the same bits back.
        std::vector<std::uint16_t> again(values.size());
        REQUIRE(edgeopt_convert(wide.data(), EDGEOPT_F32, again.data(), d, values.size()) == EDGEOPT_OK);
        CHECK(again == narrow);
    }
    std::vector<float> buffer(8, 1.0f);
    CHECK(edgeopt_convert(buffer.data(), EDGEOPT_F32, buffer.data(), EDGEOPT_Q8, 8) == EDGEOPT_ERR_INVALID_DTYPE);
    CHECK(edgeopt_convert(buffer.data(), EDGEOPT_F32, buffer.data() + 1, EDGEOPT_BF16, 4) == EDGEOPT_ERR_OVERLAP);
    CHECK(edgeopt_convert(buffer.data(), EDGEOPT_F32, buffer.data(), EDGEOPT_F32, 8) == EDGEOPT_OK);  // in place
    CHECK(edgeopt_convert(nullptr, EDGEOPT_F32, buffer.data(), EDGEOPT_BF16, 1) == EDGEOPT_ERR_NULL_POINTER);
    CHECK(edgeopt_convert(nullptr, EDGEOPT_F32, nullptr, EDGEOPT_BF16, 0) == EDGEOPT_OK);
}

// Issue 14: a non-finite value entering q8 state was silent, and one NaN
// poisons its whole 64-value block (with Lion, freezing those parameters).
// The step still returns OK, as with float32 state; the count tells.
TEST_CASE("non-finite values reaching q8 state are counted; float32 state and the guard count none") {
    const std::size_t lengths[2] = {100, 3};
    for (edgeopt_algorithm algorithm : {EDGEOPT_ADAM, EDGEOPT_LION, EDGEOPT_RMSPROP}) {
        for (edgeopt_dtype state : {EDGEOPT_Q8, EDGEOPT_F32}) {
            CAPTURE(edgeopt_algorithm_name(algorithm));
            CAPTURE(edgeopt_dtype_name(state));
            edgeopt_config c = edgeopt_defaults(algorithm);
            for (edgeopt_dtype& d : c.state_dtype) d = state;
            std::vector<unsigned char> arena(edgeopt_state_bytes(&c, lengths, 2));
            edgeopt_optimizer opt;
            REQUIRE(edgeopt_init(&opt, &c, lengths, 2, arena.data(), arena.size()) == EDGEOPT_OK);
            std::vector<float> p0(100, 1.0f), p1(3, 1.0f), g0(100, 0.5f), g1(3, 0.5f);
            const edgeopt_tensor t[2] = {{p0.data(), g0.data(), 100}, {p1.data(), g1.data(), 3}};
            REQUIRE(edgeopt_step(&opt, t, 2) == EDGEOPT_OK);
            CHECK(edgeopt_q8_nonfinite_count(&opt) == 0);

            g0[70] = NAN;  // the second q8 block of tensor 0
            edgeopt_guard guard{};
            CHECK(edgeopt_step_guarded(&opt, &guard, t, 2) == EDGEOPT_ERR_NONFINITE_GRADIENT);
            CHECK(edgeopt_q8_nonfinite_count(&opt) == 0);
            REQUIRE(edgeopt_step(&opt, t, 2) == EDGEOPT_OK);  // unguarded: NaN reaches the state
            g0[70] = 0.5f;
            REQUIRE(edgeopt_step(&opt, t, 2) == EDGEOPT_OK);  // the poisoned block stays NaN
            CHECK(edgeopt_q8_nonfinite_count(&opt) == (state == EDGEOPT_Q8 ? 2u : 0u));
            REQUIRE(edgeopt_reset(&opt) == EDGEOPT_OK);
            CHECK(edgeopt_q8_nonfinite_count(&opt) == 0);
        }
    }
    CHECK(edgeopt_q8_nonfinite_count(nullptr) == 0);
}
