// SPDX-License-Identifier: Apache-2.0
// The C API's contract (edgeopt.h): every error it can return, and that a
// failing call leaves params, grads, arena and optimizer bit-for-bit
// untouched.  (Arena layout, state life cycle, defaults and names:
// test_api_state.cpp.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "api_support.hpp"

using namespace api_test;

doctest::String toString(edgeopt_status status) {
    return doctest::toString(static_cast<int>(status)) + " (" + edgeopt_status_message(status) + ")";
}

// ---- Errors -------------------------------------------------------------

TEST_CASE("every function reports a null pointer and modifies nothing") {
    rig r(valid_config(EDGEOPT_ADAM));
    r.start();
    const std::size_t n = r.lengths.size();
    edgeopt_config out = valid_config(EDGEOPT_LION);
    expect_all_untouched(
        r, EDGEOPT_ERR_NULL_POINTER,
        {{"init opt", [&] { return edgeopt_init(nullptr, &r.config, r.lengths.data(), n, r.arena, r.arena_bytes); }},
         {"init config", [&] { return edgeopt_init(&r.opt, nullptr, r.lengths.data(), n, r.arena, r.arena_bytes); }},
         {"init lengths", [&] { return edgeopt_init(&r.opt, &r.config, nullptr, n, r.arena, r.arena_bytes); }},
         {"init arena", [&] { return edgeopt_init(&r.opt, &r.config, r.lengths.data(), n, nullptr, r.arena_bytes); }},
         {"step opt", [&] { return edgeopt_step(nullptr, r.tensors().data(), n); }},
         {"step tensors", [&] { return edgeopt_step(&r.opt, nullptr, n); }},
         {"step param", [&] { return r.step_with_tensor0(nullptr, r.grads[0].data()); }},
         {"step grad", [&] { return r.step_with_tensor0(r.params[0].data(), nullptr); }},
         {"set_lr", [&] { return edgeopt_set_lr(nullptr, 0.1); }},
         {"set_config opt", [&] { return edgeopt_set_config(nullptr, &r.config); }},
         {"set_config config", [&] { return edgeopt_set_config(&r.opt, nullptr); }},
         {"get_config opt", [&] { return edgeopt_get_config(nullptr, &out); }},
         {"get_config out", [&] { return edgeopt_get_config(&r.opt, nullptr); }},
         {"reset", [&] { return edgeopt_reset(nullptr); }},
         {"set_isa", [&] { return edgeopt_set_isa(nullptr, EDGEOPT_ISA_SCALAR); }},
         {"validate", [&] { return edgeopt_validate(nullptr); }}});
    CHECK(same_config(out, valid_config(EDGEOPT_LION)));

    // The functions that return a value rather than a status.
    edgeopt_algorithm algorithm = EDGEOPT_LION;
    edgeopt_isa isa = EDGEOPT_ISA_HELIUM;
    CHECK_EQ(edgeopt_state_bytes(nullptr, r.lengths.data(), n), 0u);
    CHECK_EQ(edgeopt_state_bytes(&r.config, nullptr, n), 0u);
    CHECK_EQ(edgeopt_state_slots(nullptr), 0u);
    CHECK_EQ(edgeopt_state_slot_name(nullptr, 0), nullptr);
    CHECK_EQ(edgeopt_state_buffer(nullptr, 0, 0), nullptr);
    CHECK_EQ(edgeopt_step_count(nullptr), 0u);
    CHECK_EQ(edgeopt_get_isa(nullptr), EDGEOPT_ISA_AUTO);
    CHECK_FALSE(edgeopt_algorithm_parse(nullptr, &algorithm));
    CHECK_FALSE(edgeopt_algorithm_parse("adam", nullptr));
    CHECK_FALSE(edgeopt_isa_parse(nullptr, &isa));
    CHECK_FALSE(edgeopt_isa_parse("scalar", nullptr));
    CHECK_EQ(algorithm, EDGEOPT_LION);
    CHECK_EQ(isa, EDGEOPT_ISA_HELIUM);
    edgeopt_destroy(nullptr);  // must not crash
}

TEST_CASE("a zero-length tensor may have null param and grad") {
    rig r(valid_config(EDGEOPT_ADAM), {0, 4});
    REQUIRE_EQ(r.init(), EDGEOPT_OK);
    std::vector<edgeopt_tensor> t = r.tensors();
    t[0] = {nullptr, nullptr, 0};
    CHECK_EQ(r.step_with(t), EDGEOPT_OK);
    CHECK_EQ(edgeopt_step_count(&r.opt), 1u);
}

TEST_CASE("an unknown algorithm is rejected everywhere") {
    // Within the enum's range of values (0..15), so that the casts are defined.
    for (int value : {0, static_cast<int>(EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT), 15}) {
        CAPTURE(value);
        edgeopt_config config = valid_config(EDGEOPT_ADAM);
        config.algorithm = static_cast<edgeopt_algorithm>(value);
        const std::size_t length = 4;
        CHECK_EQ(edgeopt_validate(&config), EDGEOPT_ERR_UNKNOWN_ALGORITHM);
        CHECK_EQ(edgeopt_state_bytes(&config, &length, 1), 0u);
        CHECK_EQ(edgeopt_state_slots(&config), 0u);
        CHECK_EQ(edgeopt_state_slot_name(&config, 0), nullptr);
        CHECK_EQ(edgeopt_algorithm_name(config.algorithm), nullptr);
        CHECK_EQ(static_cast<int>(edgeopt_defaults(config.algorithm).algorithm), 0);

        rig fresh(config);
        expect_untouched(fresh, EDGEOPT_ERR_UNKNOWN_ALGORITHM, [&] { return fresh.init(); });
        rig live(valid_config(EDGEOPT_ADAM));
        live.start();
        expect_untouched(live, EDGEOPT_ERR_UNKNOWN_ALGORITHM, [&] { return edgeopt_set_config(&live.opt, &config); });
        expect_untouched(live, EDGEOPT_ERR_UNKNOWN_ALGORITHM, [&] { return live.init_with(config, live.arena_bytes); });
    }
}

TEST_CASE("SGD needs a learning rate") {
    const edgeopt_config config = edgeopt_defaults(EDGEOPT_SGD);
    CHECK_EQ(edgeopt_validate(&config), EDGEOPT_ERR_LR_REQUIRED);
    rig r(config);
    expect_untouched(r, EDGEOPT_ERR_LR_REQUIRED, [&] { return r.init(); });
}

TEST_CASE("each invalid hyper-parameter is rejected by validate, init, set_config and set_lr, modifying nothing") {
    const std::size_t length = 8;
    for (const hyper_parameter& h : hyper_parameters()) {
        rig live(valid_config(h.algorithm));
        live.start();
        for (double bad : bad_values(h.kind)) {
            INFO(edgeopt_algorithm_name(h.algorithm), ".", h.name, " = ", bad);
            edgeopt_config config = valid_config(h.algorithm);
            *h.field(config) = bad;
            const bool is_lr = std::strcmp(h.name, "lr") == 0;
            const edgeopt_status expected =
                is_lr && h.algorithm == EDGEOPT_SGD && std::isnan(bad) ? EDGEOPT_ERR_LR_REQUIRED : h.error;
            CHECK_EQ(edgeopt_validate(&config), expected);
            CHECK_EQ(edgeopt_state_bytes(&config, &length, 1), 0u);
            rig fresh(config);
            expect_untouched(fresh, expected, [&] { return fresh.init(); });
            expect_untouched(live, expected, [&] { return live.init_with(config, live.arena_bytes); });
            expect_untouched(live, expected, [&] { return edgeopt_set_config(&live.opt, &config); });
            // set_lr(NaN) is an invalid lr, not a missing one, for SGD too.
            const edgeopt_status set_lr_expected = is_lr && std::isnan(bad) ? EDGEOPT_ERR_INVALID_LR : expected;
            if (is_lr) expect_untouched(live, set_lr_expected, [&] { return edgeopt_set_lr(&live.opt, bad); });
        }
        for (double good : good_values(h.kind)) {
            INFO(edgeopt_algorithm_name(h.algorithm), ".", h.name, " = ", good);
            edgeopt_config config = valid_config(h.algorithm);
            *h.field(config) = good;
            CHECK_EQ(edgeopt_validate(&config), EDGEOPT_OK);
        }
    }
}

TEST_CASE("nesterov needs momentum and no dampening") {
    rig live(valid_config(EDGEOPT_SGD));
    live.config.sgd.momentum = 0.9;
    live.start();
    for (auto md : {std::pair{0.0, 0.0}, std::pair{0.9, 0.1}, std::pair{0.0, 0.1}}) {
        const double momentum = md.first, dampening = md.second;
        CAPTURE(momentum);
        CAPTURE(dampening);
        edgeopt_config config = valid_config(EDGEOPT_SGD);
        config.sgd.nesterov = true;
        config.sgd.momentum = momentum;
        config.sgd.dampening = dampening;
        CHECK_EQ(edgeopt_validate(&config), EDGEOPT_ERR_NESTEROV_REQUIRES_MOMENTUM);
        rig fresh(config);
        expect_untouched(fresh, EDGEOPT_ERR_NESTEROV_REQUIRES_MOMENTUM, [&] { return fresh.init(); });
        expect_untouched(live, EDGEOPT_ERR_NESTEROV_REQUIRES_MOMENTUM,
                         [&] { return edgeopt_set_config(&live.opt, &config); });
    }
    edgeopt_config nesterov = valid_config(EDGEOPT_SGD);
    nesterov.sgd.nesterov = true;
    nesterov.sgd.momentum = 0.9;
    CHECK_EQ(edgeopt_validate(&nesterov), EDGEOPT_OK);
    CHECK_EQ(edgeopt_set_config(&live.opt, &nesterov), EDGEOPT_OK);
}

TEST_CASE("init needs at least one tensor") {
    rig r(valid_config(EDGEOPT_ADAM));
    auto init_without_tensors = [&] {
        return edgeopt_init(&r.opt, &r.config, r.lengths.data(), 0, r.arena, r.arena_bytes);
    };
    expect_untouched(r, EDGEOPT_ERR_NO_TENSORS, init_without_tensors);
    r.start();
    expect_untouched(r, EDGEOPT_ERR_NO_TENSORS, init_without_tensors);
}

TEST_CASE("init needs exactly edgeopt_state_bytes at any arena alignment, and writes only inside the arena") {
    for (const test::named_config& named : test::option_matrix()) {
        INFO(named.name);
        rig r(named.config, {5, 0, 33});
        const std::size_t bytes = edgeopt_state_bytes(&r.config, r.lengths.data(), r.lengths.size());
        REQUIRE_GT(bytes, 0u);
        for (std::size_t misalign = 0; misalign < 64; ++misalign) {
            CAPTURE(misalign);
            r.place_arena(misalign, bytes);
            std::memset(&r.opt, 0, sizeof r.opt);
            expect_untouched(r, EDGEOPT_ERR_ARENA_TOO_SMALL, [&] { return r.init_with(r.config, bytes - 1); });
            REQUIRE_EQ(r.init_with(r.config, bytes), EDGEOPT_OK);
            for (int s = 0; s < 3; ++s) REQUIRE_EQ(r.step(), EDGEOPT_OK);
            const std::size_t before = static_cast<std::size_t>(r.arena - r.storage.data());
            const auto outside_untouched = [&](std::size_t from, std::size_t to) {
                return std::all_of(r.storage.begin() + from, r.storage.begin() + to,
                                   [](unsigned char b) { return b == 0xA5; });
            };
            CHECK(outside_untouched(0, before));
            CHECK(outside_untouched(before + bytes, r.storage.size()));
        }
    }
}

TEST_CASE("lengths whose state would not fit in size_t give ARENA_TOO_SMALL") {
    const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;
    rig r(valid_config(EDGEOPT_ADAM), {4});
    r.start();
    CHECK_EQ(edgeopt_state_bytes(&r.config, &huge, 1), 0u);
    expect_untouched(r, EDGEOPT_ERR_ARENA_TOO_SMALL,
                     [&] { return edgeopt_init(&r.opt, &r.config, &huge, 1, r.arena, r.arena_bytes); });
}

TEST_CASE("step rejects another tensor count or length, modifying nothing") {
    rig r(valid_config(EDGEOPT_ADAM));
    r.start();
    const std::vector<edgeopt_tensor> t = r.tensors();
    std::vector<edgeopt_tensor> extra = t;
    extra.push_back(t[0]);
    auto with_length = [&](std::size_t tensor, std::size_t length) {
        std::vector<edgeopt_tensor> changed = t;
        changed[tensor].length = length;
        return r.step_with(changed);
    };
    expect_all_untouched(r, EDGEOPT_ERR_TENSOR_COUNT_MISMATCH,
                         {{"one fewer", [&] { return edgeopt_step(&r.opt, t.data(), t.size() - 1); }},
                          {"one more", [&] { return r.step_with(extra); }},
                          {"none", [&] { return edgeopt_step(&r.opt, t.data(), 0); }}});
    expect_all_untouched(r, EDGEOPT_ERR_LENGTH_MISMATCH,
                         {{"first shorter", [&] { return with_length(0, 12); }},
                          {"empty one longer", [&] { return with_length(1, 1); }},
                          {"last longer", [&] { return with_length(2, 71); }},
                          {"last empty", [&] { return with_length(2, 0); }}});
}

TEST_CASE("step rejects param, grad and arena overlapping, modifying nothing") {
    rig r(valid_config(EDGEOPT_ADAM));
    r.start();
    float* arena_floats = reinterpret_cast<float*>(r.arena);
    float* arena_end = reinterpret_cast<float*>(r.arena + r.arena_bytes);
    float* p = r.params[0].data();
    const float* g = r.grads[0].data();
    float* spare = r.params[2].data();  // 70 floats, room for a 13-float param and grad
    expect_all_untouched(
        r, EDGEOPT_ERR_OVERLAP,
        {{"grad is param", [&] { return r.step_with_tensor0(p, p); }},
         {"grad starts at param's last float", [&] { return r.step_with_tensor0(spare, spare + 12); }},
         {"param ends at grad's first float", [&] { return r.step_with_tensor0(spare + 12, spare); }},
         {"param inside the arena", [&] { return r.step_with_tensor0(arena_floats + 16, g); }},
         {"param ends one float into the arena", [&] { return r.step_with_tensor0(arena_floats - 12, g); }},
         {"param starts at the arena's last float", [&] { return r.step_with_tensor0(arena_end - 1, g); }},
         {"grad inside the arena", [&] { return r.step_with_tensor0(p, arena_floats + 32); }},
         {"grad ends one float into the arena", [&] { return r.step_with_tensor0(p, arena_floats - 12); }},
         {"grad starts at the arena's last float", [&] { return r.step_with_tensor0(p, arena_end - 1); }}});

    // Touching is not overlapping (these steps write into the arena's margins).
    std::vector<float> side(26, 0.5f);
    CHECK_EQ(r.step_with_tensor0(side.data(), side.data() + 13), EDGEOPT_OK);
    CHECK_EQ(r.step_with_tensor0(arena_floats - 13, g), EDGEOPT_OK);
    CHECK_EQ(r.step_with_tensor0(p, arena_end), EDGEOPT_OK);
}

TEST_CASE("init rejects lengths or the optimizer inside the arena, modifying nothing") {
    rig r(valid_config(EDGEOPT_ADAM));
    r.start();
    const std::size_t n = r.lengths.size();
    auto* lengths_inside = reinterpret_cast<std::size_t*>(r.arena + 64);
    auto* lengths_straddling = reinterpret_cast<std::size_t*>(r.arena) - (n - 1);
    std::memcpy(lengths_inside, r.lengths.data(), n * sizeof(std::size_t));
    std::memcpy(lengths_straddling, r.lengths.data(), n * sizeof(std::size_t));
    auto* opt_inside = reinterpret_cast<edgeopt_optimizer*>(r.arena + 128);
    std::memset(opt_inside, 0, sizeof *opt_inside);
    expect_all_untouched(
        r, EDGEOPT_ERR_OVERLAP,
        {{"lengths inside", [&] { return edgeopt_init(&r.opt, &r.config, lengths_inside, n, r.arena, r.arena_bytes); }},
         {"lengths straddling the start",
          [&] { return edgeopt_init(&r.opt, &r.config, lengths_straddling, n, r.arena, r.arena_bytes); }},
         {"optimizer inside",
          [&] { return edgeopt_init(opt_inside, &r.config, r.lengths.data(), n, r.arena, r.arena_bytes); }}});
}

TEST_CASE("an optimizer never initialized, or destroyed, refuses every call, modifying nothing") {
    rig r(valid_config(EDGEOPT_ADAM));
    edgeopt_config out = valid_config(EDGEOPT_LION);
    const call_list calls = {{"step", [&] { return r.step(); }},
                             {"set_lr", [&] { return edgeopt_set_lr(&r.opt, 0.1); }},
                             {"set_config", [&] { return edgeopt_set_config(&r.opt, &r.config); }},
                             {"get_config", [&] { return edgeopt_get_config(&r.opt, &out); }},
                             {"reset", [&] { return edgeopt_reset(&r.opt); }},
                             {"set_isa", [&] { return edgeopt_set_isa(&r.opt, EDGEOPT_ISA_SCALAR); }}};
    auto expect_refused = [&] {
        expect_all_untouched(r, EDGEOPT_ERR_NOT_INITIALIZED, calls);
        CHECK_EQ(edgeopt_step_count(&r.opt), 0u);
        CHECK_EQ(edgeopt_get_isa(&r.opt), EDGEOPT_ISA_AUTO);
        CHECK_EQ(edgeopt_state_buffer(&r.opt, 0, 0), nullptr);
        CHECK(same_config(out, valid_config(EDGEOPT_LION)));
    };
    SUBCASE("zeroed") { expect_refused(); }
    SUBCASE("garbage") {
        std::memset(&r.opt, 0xFF, sizeof r.opt);
        expect_refused();
    }
    SUBCASE("destroyed") {
        r.start();
        edgeopt_destroy(&r.opt);
        expect_refused();
    }
}

TEST_CASE("set_config refuses options that need another state layout, modifying nothing") {
    auto with = [](edgeopt_algorithm a, auto&& tweak) {
        edgeopt_config c = valid_config(a);
        tweak(c);
        return c;
    };
    const auto adam = valid_config(EDGEOPT_ADAM);
    const auto adamw = valid_config(EDGEOPT_ADAMW);
    const auto amsgrad = with(EDGEOPT_ADAM, [](edgeopt_config& c) { c.adam.amsgrad = true; });
    const auto adamw_amsgrad = with(EDGEOPT_ADAMW, [](edgeopt_config& c) { c.adam.amsgrad = true; });
    const auto sgd = valid_config(EDGEOPT_SGD);
    const auto sgd_momentum = with(EDGEOPT_SGD, [](edgeopt_config& c) { c.sgd.momentum = 0.9; });
    const auto rmsprop = valid_config(EDGEOPT_RMSPROP);
    const auto centered = with(EDGEOPT_RMSPROP, [](edgeopt_config& c) { c.rmsprop.centered = true; });
    const auto rms_momentum = with(EDGEOPT_RMSPROP, [](edgeopt_config& c) { c.rmsprop.momentum = 0.5; });
    const std::vector<std::pair<edgeopt_config, edgeopt_config>> changes = {
        {adam, amsgrad},      {amsgrad, adam},       {adamw, adamw_amsgrad}, {adamw_amsgrad, adamw},
        {sgd, sgd_momentum},  {sgd_momentum, sgd},   {rmsprop, centered},    {centered, rmsprop},
        {rmsprop, rms_momentum}, {rms_momentum, rmsprop},
        // Another algorithm, even with the same number of slots.
        {adam, adamw},        {adam, valid_config(EDGEOPT_NADAM)}, {sgd_momentum, valid_config(EDGEOPT_LION)},
        {valid_config(EDGEOPT_ADAGRAD), valid_config(EDGEOPT_LION)}};
    for (const auto& change : changes) {
        const edgeopt_config& from = change.first;
        const edgeopt_config& to = change.second;
        INFO(edgeopt_algorithm_name(from.algorithm), " -> ", edgeopt_algorithm_name(to.algorithm));
        rig r(from);
        r.start();
        expect_untouched(r, EDGEOPT_ERR_LAYOUT_CHANGE, [&] { return edgeopt_set_config(&r.opt, &to); });
    }
    // Changes within one layout are fine.
    rig r(sgd_momentum);
    r.start();
    const auto nesterov = with(EDGEOPT_SGD, [](edgeopt_config& c) { c.sgd = {0.01, 0.5, 0.0, 0.1, true, true}; });
    CHECK_EQ(edgeopt_set_config(&r.opt, &nesterov), EDGEOPT_OK);
    CHECK_EQ(r.step(), EDGEOPT_OK);
}

TEST_CASE("set_isa rejects unknown and unavailable ISAs, modifying nothing") {
    rig r(valid_config(EDGEOPT_ADAM));
    r.start();
    for (int value : {static_cast<int>(EDGEOPT_ISA_COUNT), EDGEOPT_ISA_COUNT + 1}) {
        CAPTURE(value);
        expect_untouched(r, EDGEOPT_ERR_UNKNOWN_ISA,
                         [&] { return edgeopt_set_isa(&r.opt, static_cast<edgeopt_isa>(value)); });
    }
    const std::vector<edgeopt_isa> unavailable = unavailable_isas();
    if (unavailable.empty()) MESSAGE("every ISA is available here: ISA_UNAVAILABLE from set_isa is not exercised");
    for (edgeopt_isa isa : unavailable) {
        INFO(edgeopt_isa_name(isa));
        expect_untouched(r, EDGEOPT_ERR_ISA_UNAVAILABLE, [&] { return edgeopt_set_isa(&r.opt, isa); });
    }
    for (edgeopt_isa isa : test::available_isas()) {
        INFO(edgeopt_isa_name(isa));
        CHECK_EQ(edgeopt_set_isa(&r.opt, isa), EDGEOPT_OK);
        CHECK_EQ(edgeopt_get_isa(&r.opt), isa);
        CHECK_EQ(r.step(), EDGEOPT_OK);
    }
    const isa_environment unset(nullptr);
    CHECK_EQ(edgeopt_set_isa(&r.opt, EDGEOPT_ISA_AUTO), EDGEOPT_OK);
    CHECK_EQ(edgeopt_get_isa(&r.opt), edgeopt_isa_default(EDGEOPT_ADAM));
}

// Firmware builds (EDGEOPT_FREESTANDING) never read the environment.
#ifndef EDGEOPT_FREESTANDING
TEST_CASE("EDGEOPT_ISA in the environment is honoured and checked") {
    rig fresh(valid_config(EDGEOPT_ADAM));
    rig live(valid_config(EDGEOPT_ADAM));
    live.start();
    auto expect_refused = [&](edgeopt_status expected) {
        expect_untouched(fresh, expected, [&] { return fresh.init(); });
        expect_untouched(live, expected, [&] { return live.init(); });
        expect_untouched(live, expected, [&] { return edgeopt_set_isa(&live.opt, EDGEOPT_ISA_AUTO); });
    };
    SUBCASE("unknown name") {
        const isa_environment env("avx3");
        expect_refused(EDGEOPT_ERR_UNKNOWN_ISA);
    }
    SUBCASE("unavailable ISA") {
        const std::vector<edgeopt_isa> unavailable = unavailable_isas();
        if (unavailable.empty()) MESSAGE("every ISA is available here: ISA_UNAVAILABLE from init is not exercised");
        for (edgeopt_isa isa : unavailable) {
            INFO(edgeopt_isa_name(isa));
            const isa_environment env(edgeopt_isa_name(isa));
            expect_refused(EDGEOPT_ERR_ISA_UNAVAILABLE);
        }
    }
    SUBCASE("each available ISA by name") {
        for (edgeopt_isa isa : test::available_isas()) {
            const isa_environment env(edgeopt_isa_name(isa));
            REQUIRE_EQ(fresh.init(), EDGEOPT_OK);
            CHECK_EQ(edgeopt_get_isa(&fresh.opt), isa);
        }
    }
    SUBCASE("upper-case names") {
        for (edgeopt_isa isa : test::available_isas()) {
            std::string upper = edgeopt_isa_name(isa);
            for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            const isa_environment env(upper.c_str());
            REQUIRE_EQ(fresh.init(), EDGEOPT_OK);
            CHECK_EQ(edgeopt_get_isa(&fresh.opt), isa);
        }
    }
    SUBCASE("empty or auto means the default") {
        for (const char* value : {"", "auto"}) {
            const isa_environment env(value);
            REQUIRE_EQ(fresh.init(), EDGEOPT_OK);
            CHECK_EQ(edgeopt_get_isa(&fresh.opt), edgeopt_isa_default(EDGEOPT_ADAM));
        }
    }
}
#endif
