// SPDX-License-Identifier: Apache-2.0
// Parameter groups: each group steps exactly like its own optimizer, a
// frozen group keeps its params, state and step count, and every check runs
// before any group is stepped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "edgeopt/train.h"
#include "support.hpp"

namespace {

struct model {
    std::vector<std::vector<float>> params, grads;
    std::vector<edgeopt_tensor> tensors() {
        std::vector<edgeopt_tensor> t;
        for (std::size_t i = 0; i < params.size(); ++i) t.push_back({params[i].data(), grads[i].data(), params[i].size()});
        return t;
    }
};

model make_model(const std::vector<std::size_t>& lengths, std::uint32_t seed) {
    model m;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        m.params.push_back(test::random_values(lengths[i], seed + 2 * i));
        m.grads.push_back(test::random_values(lengths[i], seed + 2 * i + 1));
    }
    return m;
}

void new_grads(model& m, std::uint32_t seed) {
    for (std::size_t i = 0; i < m.grads.size(); ++i) m.grads[i] = test::random_values(m.grads[i].size(), seed + 7 * i);
}

edgeopt_config adam(double lr) {
    edgeopt_config c = edgeopt_defaults(EDGEOPT_ADAM);
    c.adam.lr = lr;
    return c;
}

edgeopt_config sgd_momentum(double lr) {
    edgeopt_config c = edgeopt_defaults(EDGEOPT_SGD);
    c.sgd.lr = lr;
    c.sgd.momentum = 0.9;
    return c;
}

bool same(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!test::same_bits(a[i], b[i])) return false;
    return true;
}

struct fixture {
    const std::vector<std::size_t> lengths{33, 7, 100, 64};
    const std::size_t group_sizes[2] = {2, 2};
    const edgeopt_config configs[2] = {adam(1e-3), sgd_momentum(0.05)};
    std::vector<unsigned char> arena;
    edgeopt_groups groups;
    fixture() {
        const size_t bytes = edgeopt_groups_state_bytes(configs, group_sizes, 2, lengths.data(), lengths.size());
        REQUIRE(bytes > 0);
        arena.assign(bytes, 0);
        REQUIRE(edgeopt_groups_init(&groups, configs, group_sizes, 2, lengths.data(), lengths.size(), arena.data(),
                                    arena.size()) == EDGEOPT_OK);
    }
};

}  // namespace

TEST_CASE("each group steps exactly like its own optimizer; a frozen group does not advance") {
    fixture f;
    model grouped = make_model(f.lengths, 11), separate = grouped;
    // Reference: two independent optimizers over the same ranges.
    edgeopt_optimizer a, b;
    std::vector<unsigned char> arena_a(edgeopt_state_bytes(&f.configs[0], f.lengths.data(), 2));
    std::vector<unsigned char> arena_b(edgeopt_state_bytes(&f.configs[1], f.lengths.data() + 2, 2));
    REQUIRE(edgeopt_init(&a, &f.configs[0], f.lengths.data(), 2, arena_a.data(), arena_a.size()) == EDGEOPT_OK);
    REQUIRE(edgeopt_init(&b, &f.configs[1], f.lengths.data() + 2, 2, arena_b.data(), arena_b.size()) == EDGEOPT_OK);

    for (int step = 0; step < 12; ++step) {
        const bool freeze_first = step >= 3 && step < 7;
        REQUIRE(edgeopt_groups_freeze(&f.groups, 0, freeze_first) == EDGEOPT_OK);
        CHECK(edgeopt_groups_is_frozen(&f.groups, 0) == freeze_first);
        new_grads(grouped, 100 + step);
        new_grads(separate, 100 + step);
        const auto frozen_params = grouped.params;
        auto t = grouped.tensors();
        if (freeze_first) t[0].grad = t[1].grad = nullptr, t[0].param = nullptr;  // torch: grad None
        REQUIRE(edgeopt_groups_step(&f.groups, t.data(), t.size()) == EDGEOPT_OK);
        auto s = separate.tensors();
        if (!freeze_first) REQUIRE(edgeopt_step(&a, s.data(), 2) == EDGEOPT_OK);
        REQUIRE(edgeopt_step(&b, s.data() + 2, 2) == EDGEOPT_OK);
        for (std::size_t i = 0; i < grouped.params.size(); ++i) CHECK(same(grouped.params[i], separate.params[i]));
        if (freeze_first) CHECK(same(grouped.params[0], frozen_params[0]));
    }
    // Adam's step count (its bias correction) skipped the 4 frozen steps.
    CHECK(edgeopt_step_count(edgeopt_groups_optimizer(&f.groups, 0)) == 8);
    CHECK(edgeopt_step_count(edgeopt_groups_optimizer(&f.groups, 1)) == 12);
    for (unsigned slot = 0; slot < 2; ++slot)
        CHECK(std::memcmp(edgeopt_state_buffer(edgeopt_groups_optimizer(&f.groups, 0), 0, slot),
                          edgeopt_state_buffer(&a, 0, slot), 33 * sizeof(float)) == 0);
}

TEST_CASE("group step checks every group before stepping any") {
    fixture f;
    model m = make_model(f.lengths, 3);
    const model before = m;
    auto t = m.tensors();
    t[3].length = 63;
    CHECK(edgeopt_groups_step(&f.groups, t.data(), t.size()) == EDGEOPT_ERR_LENGTH_MISMATCH);
    t[3].length = 64;
    t[2].grad = nullptr;
    CHECK(edgeopt_groups_step(&f.groups, t.data(), t.size()) == EDGEOPT_ERR_NULL_POINTER);
    t[2].grad = t[2].param;
    CHECK(edgeopt_groups_step(&f.groups, t.data(), t.size()) == EDGEOPT_ERR_OVERLAP);
    t = m.tensors();
    t[3].param = reinterpret_cast<float*>(f.arena.data());
    CHECK(edgeopt_groups_step(&f.groups, t.data(), t.size()) == EDGEOPT_ERR_OVERLAP);
    t = m.tensors();
    CHECK(edgeopt_groups_step(&f.groups, t.data(), 3) == EDGEOPT_ERR_TENSOR_COUNT_MISMATCH);
    CHECK(edgeopt_groups_step(&f.groups, nullptr, 4) == EDGEOPT_ERR_NULL_POINTER);
    for (std::size_t i = 0; i < m.params.size(); ++i) CHECK(same(m.params[i], before.params[i]));
    CHECK(edgeopt_step_count(edgeopt_groups_optimizer(&f.groups, 0)) == 0);
    // A frozen group's lengths are still checked.
    REQUIRE(edgeopt_groups_freeze(&f.groups, 1, true) == EDGEOPT_OK);
    t[3].length = 1;
    CHECK(edgeopt_groups_step(&f.groups, t.data(), t.size()) == EDGEOPT_ERR_LENGTH_MISMATCH);
    edgeopt_groups blank{};
    CHECK(edgeopt_groups_step(&blank, t.data(), t.size()) == EDGEOPT_ERR_NOT_INITIALIZED);
}

TEST_CASE("guarded group step ignores frozen groups' gradients and refuses NaN in active ones") {
    fixture f;
    model m = make_model(f.lengths, 5);
    edgeopt_guard guard = {0, 0, 0};
    m.grads[0][4] = NAN;
    auto t = m.tensors();
    const model before = m;
    CHECK(edgeopt_groups_step_guarded(&f.groups, &guard, t.data(), t.size()) == EDGEOPT_ERR_NONFINITE_GRADIENT);
    CHECK(guard.steps_skipped == 1);
    for (std::size_t i = 0; i < m.params.size(); ++i) CHECK(same(m.params[i], before.params[i]));
    CHECK(edgeopt_step_count(edgeopt_groups_optimizer(&f.groups, 1)) == 0);
    REQUIRE(edgeopt_groups_freeze(&f.groups, 0, true) == EDGEOPT_OK);
    CHECK(edgeopt_groups_step_guarded(&f.groups, &guard, t.data(), t.size()) == EDGEOPT_OK);
    CHECK(guard.steps_taken == 1);
    CHECK(guard.consecutive_skipped == 0);
    CHECK(same(m.params[0], before.params[0]));
    CHECK(!same(m.params[2], before.params[2]));
    CHECK(edgeopt_groups_step_guarded(&f.groups, nullptr, t.data(), t.size()) == EDGEOPT_ERR_NULL_POINTER);
}

TEST_CASE("group learning rates: base_lrs, set, scale, schedules per group") {
    fixture f;
    CHECK(edgeopt_groups_base_lr(&f.groups, 0) == 1e-3);
    CHECK(edgeopt_groups_base_lr(&f.groups, 1) == 0.05);
    CHECK(std::isnan(edgeopt_groups_base_lr(&f.groups, 2)));
    CHECK(std::isnan(edgeopt_groups_lr(&f.groups, 2)));
    CHECK(edgeopt_groups_optimizer(&f.groups, 2) == nullptr);
    REQUIRE(edgeopt_groups_set_lr(&f.groups, 1, 0.01) == EDGEOPT_OK);
    CHECK(edgeopt_groups_lr(&f.groups, 1) == 0.01);
    CHECK(edgeopt_groups_set_lr(&f.groups, 1, -1.0) == EDGEOPT_ERR_INVALID_LR);
    CHECK(edgeopt_groups_set_lr(&f.groups, 2, 0.1) == EDGEOPT_ERR_NOT_INITIALIZED);
    CHECK(edgeopt_groups_freeze(&f.groups, 8, true) == EDGEOPT_ERR_NOT_INITIALIZED);
    REQUIRE(edgeopt_groups_scale_lr(&f.groups, 0.5) == EDGEOPT_OK);
    CHECK(edgeopt_groups_lr(&f.groups, 0) == 1e-3 * 0.5);
    CHECK(edgeopt_groups_lr(&f.groups, 1) == 0.05 * 0.5);
    CHECK(edgeopt_groups_scale_lr(&f.groups, -1.0) == EDGEOPT_ERR_INVALID_LR);
    CHECK(edgeopt_groups_lr(&f.groups, 1) == 0.05 * 0.5);  // refused for every group

    // One schedule per group, each from its group's base lr, as torch's base_lrs.
    edgeopt_schedule_config cosine = edgeopt_schedule_defaults(EDGEOPT_SCHEDULE_COSINE);
    cosine.cosine.t_max = 10;
    edgeopt_schedule schedules[2];
    for (size_t g = 0; g < 2; ++g) {
        REQUIRE(edgeopt_schedule_init(&schedules[g], &cosine, edgeopt_groups_base_lr(&f.groups, g)) == EDGEOPT_OK);
        REQUIRE(edgeopt_schedule_apply(&schedules[g], edgeopt_groups_optimizer(&f.groups, g)) == EDGEOPT_OK);
    }
    for (int step = 0; step < 5; ++step)
        for (size_t g = 0; g < 2; ++g) {
            REQUIRE(edgeopt_schedule_step(&schedules[g], 0.0, nullptr) == EDGEOPT_OK);
            REQUIRE(edgeopt_schedule_apply(&schedules[g], edgeopt_groups_optimizer(&f.groups, g)) == EDGEOPT_OK);
        }
    CHECK(edgeopt_groups_lr(&f.groups, 0) == doctest::Approx(0.5e-3));
    CHECK(edgeopt_groups_lr(&f.groups, 1) == doctest::Approx(0.025));
}

TEST_CASE("groups init: sizes, arena, validation, nothing written on error") {
    const std::vector<std::size_t> lengths{10, 20, 30};
    const edgeopt_config configs[3] = {adam(1e-3), sgd_momentum(0.1), edgeopt_defaults(EDGEOPT_LION)};
    const size_t sizes[3] = {1, 1, 1};
    const size_t bytes = edgeopt_groups_state_bytes(configs, sizes, 3, lengths.data(), 3);
    CHECK(bytes == edgeopt_state_bytes(&configs[0], &lengths[0], 1) + edgeopt_state_bytes(&configs[1], &lengths[1], 1) +
                       edgeopt_state_bytes(&configs[2], &lengths[2], 1));
    std::vector<unsigned char> arena(bytes + 16, 0xAB);
    edgeopt_groups groups;
    std::memset(&groups, 0x11, sizeof groups);
    const edgeopt_groups before = groups;
    const std::vector<unsigned char> arena_before = arena;
    auto unchanged = [&] {
        CHECK(std::memcmp(&groups, &before, sizeof groups) == 0);
        CHECK(arena == arena_before);
    };
    CHECK(edgeopt_groups_init(&groups, configs, sizes, 3, lengths.data(), 3, arena.data(), bytes - 1) ==
          EDGEOPT_ERR_ARENA_TOO_SMALL);
    unchanged();
    const size_t wrong[3] = {1, 1, 2};
    CHECK(edgeopt_groups_init(&groups, configs, wrong, 3, lengths.data(), 3, arena.data(), bytes) ==
          EDGEOPT_ERR_TENSOR_COUNT_MISMATCH);
    CHECK(edgeopt_groups_state_bytes(configs, wrong, 3, lengths.data(), 3) == 0);
    const size_t empty_group[3] = {0, 2, 1};
    CHECK(edgeopt_groups_init(&groups, configs, empty_group, 3, lengths.data(), 3, arena.data(), bytes) ==
          EDGEOPT_ERR_TENSOR_COUNT_MISMATCH);
    edgeopt_config bad[3] = {configs[0], configs[1], configs[2]};
    bad[2].lion.beta1 = 2.0;
    CHECK(edgeopt_groups_init(&groups, bad, sizes, 3, lengths.data(), 3, arena.data(), bytes) ==
          EDGEOPT_ERR_INVALID_BETA1);
    CHECK(edgeopt_groups_init(&groups, configs, sizes, 9, lengths.data(), 3, arena.data(), bytes) ==
          EDGEOPT_ERR_TENSOR_COUNT_MISMATCH);
    CHECK(edgeopt_groups_init(&groups, configs, sizes, 0, lengths.data(), 3, arena.data(), bytes) ==
          EDGEOPT_ERR_NO_TENSORS);
    CHECK(edgeopt_groups_init(&groups, configs, sizes, 3, lengths.data(), 3, nullptr, bytes) ==
          EDGEOPT_ERR_NULL_POINTER);
    unchanged();
    // Misaligned arena start: each group aligns its own slice.
    REQUIRE(edgeopt_groups_init(&groups, configs, sizes, 3, lengths.data(), 3, arena.data() + 3, bytes) == EDGEOPT_OK);
    for (size_t g = 0; g < 3; ++g) {
        float* slot = edgeopt_state_buffer(edgeopt_groups_optimizer(&groups, g), 0, 0);
        REQUIRE(slot != nullptr);
        CHECK(reinterpret_cast<std::uintptr_t>(slot) % 64 == 0);
        CHECK(reinterpret_cast<unsigned char*>(slot) >= arena.data() + 3);
        CHECK(reinterpret_cast<unsigned char*>(slot + lengths[g]) <= arena.data() + 3 + bytes);
    }
    CHECK(arena[bytes + 3] == 0xAB);  // nothing past the arena
}
