// SPDX-License-Identifier: Apache-2.0
// The C API beyond its errors: the arena layout, the life cycle of state
// (initial values, reset, set_lr, get_config), torch's defaults, several
// tensors in one step, and the name tables.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "api_support.hpp"

using namespace api_test;

// ---- Arena layout ---------------------------------------------------------

TEST_CASE("state_bytes matches the compile-time sizes for every configuration") {
    const std::vector<std::vector<std::size_t>> several = {{3, 0, 64, 100, 1}, {1, 1, 1, 1}, {4096, 5}, {0, 0}};
    for (const test::named_config& named : test::option_matrix()) {
        INFO(named.name);
        const unsigned slots = edgeopt_state_slots(&named.config);
        for (std::size_t n : {0, 1, 7, 16, 17, 1000}) {
            CAPTURE(n);
            CHECK_EQ(edgeopt_state_bytes(&named.config, &n, 1), EDGEOPT_ARENA_BYTES_1(slots, n));
        }
        for (const std::vector<std::size_t>& lengths : several) {
            std::size_t total = 0;
            for (std::size_t n : lengths) total += n;
            CHECK_LE(edgeopt_state_bytes(&named.config, lengths.data(), lengths.size()),
                     EDGEOPT_ARENA_BYTES(slots, lengths.size(), total));
        }
    }
}

TEST_CASE("state buffers: one per slot, 64-byte aligned, inside the arena, disjoint") {
    for (const test::named_config& named : test::option_matrix()) {
        INFO(named.name);
        rig r(named.config, {3, 0, 64, 100, 1});
        const std::size_t bytes = edgeopt_state_bytes(&r.config, r.lengths.data(), r.lengths.size());
        r.place_arena(17, bytes);
        REQUIRE_EQ(r.init_with(r.config, bytes), EDGEOPT_OK);
        const unsigned slots = edgeopt_state_slots(&r.config);
        std::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;
        for (std::size_t i = 0; i < r.lengths.size(); ++i) {
            unsigned present = 0;
            for (unsigned k = 0; k < 3; ++k) {
                const float* buffer = edgeopt_state_buffer(&r.opt, i, k);
                if (!buffer) continue;
                ++present;
                const auto begin = reinterpret_cast<std::uintptr_t>(buffer);
                const auto end = begin + r.lengths[i] * sizeof(float);
                CHECK_EQ(begin % EDGEOPT_ARENA_ALIGN, 0u);
                CHECK_GE(begin, reinterpret_cast<std::uintptr_t>(r.arena));
                CHECK_LE(end, reinterpret_cast<std::uintptr_t>(r.arena + bytes));
                CHECK_NE(edgeopt_state_slot_name(&r.config, k), nullptr);
                if (end > begin) ranges.push_back({begin, end});
            }
            CHECK_EQ(present, r.lengths[i] == 0 ? 0u : slots);  // an empty tensor has no buffers
            CHECK_EQ(edgeopt_state_buffer(&r.opt, i, 3), nullptr);
        }
        CHECK_EQ(edgeopt_state_buffer(&r.opt, r.lengths.size(), 0), nullptr);
        std::sort(ranges.begin(), ranges.end());
        for (std::size_t j = 1; j < ranges.size(); ++j) CHECK_LE(ranges[j - 1].second, ranges[j].first);
    }
}

// ---- State life cycle ---------------------------------------------------

namespace {

// torch's initial state: zeros, except Adagrad's accumulator and Rprop's
// step_size (slot 1), which start at a hyper-parameter rounded to float32.
float initial_state(const edgeopt_config& c, unsigned slot) {
    if (c.algorithm == EDGEOPT_ADAGRAD) return static_cast<float>(c.adagrad.initial_accumulator_value);
    if (c.algorithm == EDGEOPT_RPROP && slot == 1) return static_cast<float>(c.rprop.lr);
    return 0.0f;
}

// Bit pattern every state float holds after init() and reset().
bool state_is_initial(const rig& r) {
    for (std::size_t i = 0; i < r.lengths.size(); ++i)
        for (unsigned k = 0; k < 3; ++k)
            for (float value : r.state(i, k))
                if (!test::same_bits(value, initial_state(r.config, k))) return false;
    return true;
}

// Params after each step, with a fresh gradient every step; checks the count.
std::vector<std::vector<std::vector<float>>> trajectory(rig& r, std::uint32_t first_step, std::uint32_t steps) {
    std::vector<std::vector<std::vector<float>>> params;
    for (std::uint32_t s = first_step; s < first_step + steps; ++s) {
        r.new_grads(100 * s);
        REQUIRE_EQ(r.step(), EDGEOPT_OK);
        CHECK_EQ(edgeopt_step_count(&r.opt), s + 1);
        params.push_back(r.params);
    }
    return params;
}

bool same_trajectory(const std::vector<std::vector<std::vector<float>>>& a,
                     const std::vector<std::vector<std::vector<float>>>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t s = 0; s < a.size(); ++s)
        if (!same_nested(a[s], b[s])) return false;
    return true;
}

}  // namespace

TEST_CASE("state starts at torch's initial values; reset restores them and replays the trajectory bit for bit") {
    for (const test::named_config& named : test::option_matrix()) {
        INFO(named.name);
        rig r(named.config);
        const auto initial_params = r.params;
        REQUIRE_EQ(r.init(), EDGEOPT_OK);
        CHECK_EQ(edgeopt_step_count(&r.opt), 0u);
        CHECK(state_is_initial(r));
        const auto first = trajectory(r, 0, 5);
        const auto first_state = r.all_state();
        if (edgeopt_state_slots(&r.config) > 0) CHECK_FALSE(state_is_initial(r));

        REQUIRE_EQ(edgeopt_reset(&r.opt), EDGEOPT_OK);
        CHECK_EQ(edgeopt_step_count(&r.opt), 0u);
        CHECK(state_is_initial(r));
        r.params = initial_params;
        CHECK(same_trajectory(trajectory(r, 0, 5), first));
        CHECK(same_nested(r.all_state(), first_state));
    }
}

TEST_CASE("adagrad's accumulator starts at initial_accumulator_value") {
    edgeopt_config config = valid_config(EDGEOPT_ADAGRAD);
    config.adagrad.initial_accumulator_value = 0.25;
    rig r(config);
    REQUIRE_EQ(r.init(), EDGEOPT_OK);
    CHECK(same_floats(r.state(0, 0), std::vector<float>(r.lengths[0], 0.25f)));
}

TEST_CASE("after set_lr the trajectory is that of an optimizer configured with the new lr") {
    for (const test::named_config& named : test::option_matrix()) {
        INFO(named.name);
        rig changed(named.config);
        edgeopt_config config_b = named.config;
        const double new_lr = field_of(config_b, "lr") * 0.37;
        field_of(config_b, "lr") = new_lr;
        rig fresh(config_b);
        REQUIRE_EQ(changed.init(), EDGEOPT_OK);
        REQUIRE_EQ(fresh.init(), EDGEOPT_OK);
        trajectory(changed, 0, 3);
        trajectory(fresh, 0, 3);  // brings its step count (and NAdam's μ product) to 3

        // From here `fresh` holds `changed`'s params and state, with the new lr from the start.
        fresh.params = changed.params;
        for (std::size_t i = 0; i < changed.lengths.size(); ++i)
            for (unsigned k = 0; k < 3; ++k)
                if (float* buffer = edgeopt_state_buffer(&fresh.opt, i, k)) {
                    const std::vector<float> values = changed.state(i, k);
                    std::copy(values.begin(), values.end(), buffer);
                }
        REQUIRE_EQ(edgeopt_set_lr(&changed.opt, new_lr), EDGEOPT_OK);
        edgeopt_config got{};
        REQUIRE_EQ(edgeopt_get_config(&changed.opt, &got), EDGEOPT_OK);
        CHECK(same_config(got, config_b));

        CHECK(same_trajectory(trajectory(changed, 3, 4), trajectory(fresh, 3, 4)));
        CHECK(same_nested(changed.all_state(), fresh.all_state()));
    }
}

TEST_CASE("get_config returns what init and set_config set") {
    for (const test::named_config& named : test::option_matrix()) {
        INFO(named.name);
        rig r(named.config);
        REQUIRE_EQ(r.init(), EDGEOPT_OK);
        edgeopt_config got{};
        REQUIRE_EQ(edgeopt_get_config(&r.opt, &got), EDGEOPT_OK);
        CHECK(same_config(got, named.config));
        edgeopt_config changed = named.config;
        field_of(changed, changed.algorithm == EDGEOPT_RPROP ? "step_size_max" : "weight_decay") = 0.125;
        if (changed.algorithm == EDGEOPT_SGD) changed.sgd.maximize = !changed.sgd.maximize;
        REQUIRE_EQ(edgeopt_set_config(&r.opt, &changed), EDGEOPT_OK);
        REQUIRE_EQ(edgeopt_get_config(&r.opt, &got), EDGEOPT_OK);
        CHECK(same_config(got, changed));
        CHECK_FALSE(same_config(got, named.config));
    }
}

TEST_CASE("defaults are torch's") {
    struct expected_defaults {
        edgeopt_algorithm algorithm;
        std::vector<std::pair<const char*, double>> values;
    };
    const std::vector<std::pair<const char*, double>> adam = {
        {"lr", 1e-3}, {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}, {"weight_decay", 0.0}};
    auto adam_with = [&](double lr, double weight_decay) {
        auto values = adam;
        values[0].second = lr;
        values[4].second = weight_decay;
        return values;
    };
    auto nadam = adam_with(2e-3, 0.0);
    nadam.push_back({"momentum_decay", 4e-3});
    const std::vector<expected_defaults> table = {
        {EDGEOPT_SGD, {{"lr", nan_value}, {"momentum", 0.0}, {"dampening", 0.0}, {"weight_decay", 0.0}}},
        {EDGEOPT_ADAGRAD,
         {{"lr", 1e-2}, {"lr_decay", 0.0}, {"weight_decay", 0.0}, {"initial_accumulator_value", 0.0}, {"eps", 1e-10}}},
        {EDGEOPT_RMSPROP, {{"lr", 1e-2}, {"alpha", 0.99}, {"eps", 1e-8}, {"weight_decay", 0.0}, {"momentum", 0.0}}},
        {EDGEOPT_ADADELTA, {{"lr", 1.0}, {"rho", 0.9}, {"eps", 1e-6}, {"weight_decay", 0.0}}},
        {EDGEOPT_ADAM, adam},
        {EDGEOPT_ADAMW, adam_with(1e-3, 1e-2)},
        {EDGEOPT_ADAMAX, adam_with(2e-3, 0.0)},
        {EDGEOPT_NADAM, nadam},
        {EDGEOPT_RADAM, adam},
        {EDGEOPT_LION, {{"lr", 1e-4}, {"beta1", 0.9}, {"beta2", 0.99}, {"weight_decay", 0.0}}},
        {EDGEOPT_RPROP,
         {{"lr", 1e-2}, {"etaminus", 0.5}, {"etaplus", 1.2}, {"step_size_min", 1e-6}, {"step_size_max", 50.0}}},
        {EDGEOPT_ASGD, {{"lr", 1e-2}, {"lambd", 1e-4}, {"alpha", 0.75}, {"t0", 1e6}, {"weight_decay", 0.0}}}};
    const std::vector<hyper_parameter> all = hyper_parameters();
    for (const expected_defaults& expected : table) {
        INFO(edgeopt_algorithm_name(expected.algorithm));
        edgeopt_config c = edgeopt_defaults(expected.algorithm);
        CHECK_EQ(c.algorithm, expected.algorithm);
        for (const auto& field : expected.values) {
            const auto& name = field.first;
            const auto& value = field.second;
            INFO(name);
            const double got = field_of(c, name);
            CHECK((std::isnan(value) ? std::isnan(got) : got == value));
        }
        // The list above names every hyper-parameter, and every flag is off.
        const auto listed = std::count_if(all.begin(), all.end(),
                                          [&](const hyper_parameter& h) { return h.algorithm == expected.algorithm; });
        CHECK_EQ(static_cast<std::size_t>(listed), expected.values.size());
        for (const flag& f : flags())
            if (f.algorithm == expected.algorithm) CHECK_FALSE(*f.field(c));
    }
}

// ---- Several tensors ------------------------------------------------------

TEST_CASE("one step over three tensors equals three single-tensor optimizers, on every ISA") {
    const std::vector<std::size_t> lengths = {37, 0, 130};
    for (const test::named_config& named : test::option_matrix()) {
        for (edgeopt_isa isa : test::available_isas()) {
            INFO(named.name, " on ", edgeopt_isa_name(isa));
            rig together(named.config, lengths);
            std::vector<rig> apart;
            apart.reserve(lengths.size());
            for (std::size_t i = 0; i < lengths.size(); ++i) {
                apart.emplace_back(named.config, std::vector<std::size_t>{lengths[i]});
                apart[i].params[0] = together.params[i];
            }
            REQUIRE_EQ(together.init(), EDGEOPT_OK);
            REQUIRE_EQ(edgeopt_set_isa(&together.opt, isa), EDGEOPT_OK);
            for (rig& single : apart) {
                REQUIRE_EQ(single.init(), EDGEOPT_OK);
                REQUIRE_EQ(edgeopt_set_isa(&single.opt, isa), EDGEOPT_OK);
            }
            for (std::uint32_t s = 0; s < 5; ++s) {
                together.new_grads(100 * s);
                REQUIRE_EQ(together.step(), EDGEOPT_OK);
                for (std::size_t i = 0; i < lengths.size(); ++i) {
                    apart[i].grads[0] = together.grads[i];
                    REQUIRE_EQ(apart[i].step(), EDGEOPT_OK);
                }
            }
            for (std::size_t i = 0; i < lengths.size(); ++i) {
                CAPTURE(i);
                CHECK(same_floats(together.params[i], apart[i].params[0]));
                for (unsigned k = 0; k < 3; ++k) CHECK(same_floats(together.state(i, k), apart[i].state(0, k)));
            }
        }
    }
}

// ---- Names and messages ---------------------------------------------------

TEST_CASE("algorithm names round-trip and unknown names are rejected") {
    std::set<std::string> names;
    for (edgeopt_algorithm algorithm : all_algorithms) {
        const char* name = edgeopt_algorithm_name(algorithm);
        REQUIRE_NE(name, nullptr);
        names.insert(name);
        edgeopt_algorithm parsed = static_cast<edgeopt_algorithm>(0);
        CHECK(edgeopt_algorithm_parse(name, &parsed));
        CHECK_EQ(parsed, algorithm);
    }
    CHECK_EQ(names.size(), std::size(all_algorithms));
    for (const char* unknown : {"", "adam ", "sgdm", "adamw2", "ad\xc1m"}) {
        edgeopt_algorithm parsed = EDGEOPT_LION;
        CHECK_FALSE(edgeopt_algorithm_parse(unknown, &parsed));
        CHECK_EQ(parsed, EDGEOPT_LION);
    }
}

TEST_CASE("algorithm, ISA and dtype names are parsed in any ASCII case") {
    edgeopt_algorithm algorithm = EDGEOPT_SGD;
    CHECK(edgeopt_algorithm_parse("Adam", &algorithm));
    CHECK_EQ(algorithm, EDGEOPT_ADAM);
    CHECK(edgeopt_algorithm_parse("ADAMW", &algorithm));
    CHECK_EQ(algorithm, EDGEOPT_ADAMW);
    edgeopt_isa isa = EDGEOPT_ISA_AUTO;
    CHECK(edgeopt_isa_parse("AVX2", &isa));
    CHECK_EQ(isa, EDGEOPT_ISA_AVX2);
    CHECK(edgeopt_isa_parse("Neon64", &isa));
    CHECK_EQ(isa, EDGEOPT_ISA_NEON64);
    edgeopt_dtype dtype = EDGEOPT_F32;
    CHECK(edgeopt_dtype_parse("BF16", &dtype));
    CHECK_EQ(dtype, EDGEOPT_BF16);
    CHECK(edgeopt_dtype_parse("Q8", &dtype));
    CHECK_EQ(dtype, EDGEOPT_Q8);
    // Only ASCII letters fold: a byte that tolower() might map in some locale does not.
    CHECK_FALSE(edgeopt_dtype_parse("f\xb3""2", &dtype));
    CHECK_EQ(dtype, EDGEOPT_Q8);
}

TEST_CASE("ISA names round-trip and unknown names are rejected") {
    std::set<std::string> names;
    for (int i = 0; i < EDGEOPT_ISA_COUNT; ++i) {
        const auto isa = static_cast<edgeopt_isa>(i);
        const char* name = edgeopt_isa_name(isa);
        REQUIRE_NE(name, nullptr);
        names.insert(name);
        edgeopt_isa parsed = EDGEOPT_ISA_COUNT;
        CHECK(edgeopt_isa_parse(name, &parsed));
        CHECK_EQ(parsed, isa);
    }
    CHECK_EQ(names.size(), static_cast<std::size_t>(EDGEOPT_ISA_COUNT));
    CHECK_EQ(edgeopt_isa_name(EDGEOPT_ISA_COUNT), nullptr);
    CHECK_EQ(edgeopt_isa_name(static_cast<edgeopt_isa>(EDGEOPT_ISA_COUNT + 1)), nullptr);
    for (const char* unknown : {"", "avx3", "neon", "scalar ", "avx2\n", "AVX2_"}) {
        edgeopt_isa parsed = EDGEOPT_ISA_HELIUM;
        CHECK_FALSE(edgeopt_isa_parse(unknown, &parsed));
        CHECK_EQ(parsed, EDGEOPT_ISA_HELIUM);
    }
    CHECK(edgeopt_isa_available(EDGEOPT_ISA_SCALAR));
    CHECK_FALSE(edgeopt_isa_available(EDGEOPT_ISA_AUTO));
    CHECK_FALSE(edgeopt_isa_available(EDGEOPT_ISA_COUNT));
}

TEST_CASE("every status has its own message") {
    const std::string unknown = "unknown status";  // the fallback for values that are not statuses
    CHECK_EQ(std::string(edgeopt_status_message(EDGEOPT_STATUS_COUNT)), unknown);
    std::set<std::string> messages;
    for (int s = 0; s < EDGEOPT_STATUS_COUNT; ++s) {
        CAPTURE(s);
        const char* message = edgeopt_status_message(static_cast<edgeopt_status>(s));
        REQUIRE_NE(message, nullptr);
        CHECK_NE(std::string(message), "");
        CHECK_NE(std::string(message), unknown);
        messages.insert(message);
    }
    CHECK_EQ(messages.size(), static_cast<std::size_t>(EDGEOPT_STATUS_COUNT));
}

TEST_CASE("edgeopt_state_scalar gives ASGD's eta and mu as torch's state holds them, and nothing for the others") {
    edgeopt_config config = edgeopt_defaults(EDGEOPT_ASGD);
    config.asgd.lr = 0.05, config.asgd.lambd = 0.01, config.asgd.alpha = 0.5, config.asgd.t0 = 1.0;
    rig r(config);
    REQUIRE_EQ(r.init(), EDGEOPT_OK);
    const char* name = nullptr;
    double value = 0.0;
    for (std::uint32_t steps = 0; steps < 5; ++steps) {
        CAPTURE(steps);
        // torch, after `steps` steps: eta = lr / (1 + lambd lr steps)^alpha, mu = 1 / max(1, steps - t0).
        const float eta = static_cast<float>(0.05 / std::pow(1.0 + 0.01 * 0.05 * steps, 0.5));
        const float mu = static_cast<float>(1.0 / std::max(1.0, steps - 1.0));
        REQUIRE_EQ(edgeopt_state_scalar(&r.opt, 0, &name, &value), EDGEOPT_OK);
        CHECK(std::string(name) == "eta");
        CHECK(test::same_bits(static_cast<float>(value), eta));
        CHECK_EQ(value, static_cast<double>(static_cast<float>(value)));  // a float32 value
        REQUIRE_EQ(edgeopt_state_scalar(&r.opt, 1, &name, &value), EDGEOPT_OK);
        CHECK(std::string(name) == "mu");
        CHECK_EQ(static_cast<float>(value), mu);
        CHECK_EQ(edgeopt_state_scalar(&r.opt, 2, &name, &value), EDGEOPT_ERR_NO_SUCH_STATE);
        r.new_grads(steps);
        REQUIRE_EQ(r.step(), EDGEOPT_OK);
    }
    CHECK_EQ(edgeopt_state_scalar(&r.opt, 0, nullptr, &value), EDGEOPT_ERR_NULL_POINTER);
    CHECK_EQ(edgeopt_state_scalar(&r.opt, 0, &name, nullptr), EDGEOPT_ERR_NULL_POINTER);
    rig adam(valid_config(EDGEOPT_ADAM));
    REQUIRE_EQ(adam.init(), EDGEOPT_OK);
    CHECK_EQ(edgeopt_state_scalar(&adam.opt, 0, &name, &value), EDGEOPT_ERR_NO_SUCH_STATE);
    edgeopt_optimizer never_initialized{};
    CHECK_EQ(edgeopt_state_scalar(&never_initialized, 0, &name, &value), EDGEOPT_ERR_NOT_INITIALIZED);
}
