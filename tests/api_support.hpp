// SPDX-License-Identifier: Apache-2.0
// Shared by the C API tests: hyper-parameters as data (each one's field,
// rule and error), valid configurations, and a rig that holds an optimizer
// and everything it touches, with the "nothing modified" checks.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support.hpp"

// Failures show a status as "21 (tensor length differs from init())".  Found
// by argument-dependent lookup from doctest's expression decomposer; defined
// once, in test_api.cpp (test_cpp_api.cpp declares it too).
doctest::String toString(edgeopt_status status);

namespace api_test {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

// Every algorithm of the enum (EDGEOPT_SGD .. + EDGEOPT_ALGORITHM_COUNT - 1).
inline const std::vector<edgeopt_algorithm> all_algorithms = [] {
    std::vector<edgeopt_algorithm> out;
    for (unsigned a = EDGEOPT_SGD; a < EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT; ++a)
        out.push_back(static_cast<edgeopt_algorithm>(a));
    return out;
}();

// ---- Hyper-parameters as data: each one's field, rule and error ----------

// eta_minus: 0 < η₋ < 1 and eta_plus: 1 < η₊ < ∞, both after rounding to
// float32 (Rprop).
enum class rule { non_negative, finite, unit_closed, unit_open, eta_minus, eta_plus };

struct hyper_parameter {
    edgeopt_algorithm algorithm;
    const char* name;
    double* (*field)(edgeopt_config&);
    edgeopt_status error;
    rule kind;
};

struct flag {
    edgeopt_algorithm algorithm;
    const char* name;
    bool* (*field)(edgeopt_config&);
};

#define EDGEOPT_HYPER(algorithm, options, member, error, kind) \
    hyper_parameter { algorithm, #member, [](edgeopt_config& c) { return &c.options.member; }, error, kind }
#define EDGEOPT_FLAG(algorithm, options, member) \
    flag { algorithm, #member, [](edgeopt_config& c) { return &c.options.member; } }

inline std::vector<hyper_parameter> hyper_parameters() {
    const rule nn = rule::non_negative;
    std::vector<hyper_parameter> all = {
        EDGEOPT_HYPER(EDGEOPT_SGD, sgd, lr, EDGEOPT_ERR_INVALID_LR, nn),
        EDGEOPT_HYPER(EDGEOPT_SGD, sgd, momentum, EDGEOPT_ERR_INVALID_MOMENTUM, nn),
        EDGEOPT_HYPER(EDGEOPT_SGD, sgd, dampening, EDGEOPT_ERR_INVALID_DAMPENING, rule::finite),
        EDGEOPT_HYPER(EDGEOPT_SGD, sgd, weight_decay, EDGEOPT_ERR_INVALID_WEIGHT_DECAY, nn),
        EDGEOPT_HYPER(EDGEOPT_ADAGRAD, adagrad, lr, EDGEOPT_ERR_INVALID_LR, nn),
        EDGEOPT_HYPER(EDGEOPT_ADAGRAD, adagrad, lr_decay, EDGEOPT_ERR_INVALID_LR_DECAY, nn),
        EDGEOPT_HYPER(EDGEOPT_ADAGRAD, adagrad, weight_decay, EDGEOPT_ERR_INVALID_WEIGHT_DECAY, nn),
        EDGEOPT_HYPER(EDGEOPT_ADAGRAD, adagrad, initial_accumulator_value, EDGEOPT_ERR_INVALID_INITIAL_ACCUMULATOR, nn),
        EDGEOPT_HYPER(EDGEOPT_ADAGRAD, adagrad, eps, EDGEOPT_ERR_INVALID_EPS, nn),
        EDGEOPT_HYPER(EDGEOPT_RMSPROP, rmsprop, lr, EDGEOPT_ERR_INVALID_LR, nn),
        EDGEOPT_HYPER(EDGEOPT_RMSPROP, rmsprop, alpha, EDGEOPT_ERR_INVALID_ALPHA, nn),
        EDGEOPT_HYPER(EDGEOPT_RMSPROP, rmsprop, eps, EDGEOPT_ERR_INVALID_EPS, nn),
        EDGEOPT_HYPER(EDGEOPT_RMSPROP, rmsprop, weight_decay, EDGEOPT_ERR_INVALID_WEIGHT_DECAY, nn),
        EDGEOPT_HYPER(EDGEOPT_RMSPROP, rmsprop, momentum, EDGEOPT_ERR_INVALID_MOMENTUM, nn),
        EDGEOPT_HYPER(EDGEOPT_ADADELTA, adadelta, lr, EDGEOPT_ERR_INVALID_LR, nn),
        EDGEOPT_HYPER(EDGEOPT_ADADELTA, adadelta, rho, EDGEOPT_ERR_INVALID_RHO, rule::unit_closed),
        EDGEOPT_HYPER(EDGEOPT_ADADELTA, adadelta, eps, EDGEOPT_ERR_INVALID_EPS, nn),
        EDGEOPT_HYPER(EDGEOPT_ADADELTA, adadelta, weight_decay, EDGEOPT_ERR_INVALID_WEIGHT_DECAY, nn),
        EDGEOPT_HYPER(EDGEOPT_NADAM, nadam, momentum_decay, EDGEOPT_ERR_INVALID_MOMENTUM_DECAY, nn),
        EDGEOPT_HYPER(EDGEOPT_LION, lion, lr, EDGEOPT_ERR_INVALID_LR, nn),
        EDGEOPT_HYPER(EDGEOPT_LION, lion, beta1, EDGEOPT_ERR_INVALID_BETA1, rule::unit_closed),
        EDGEOPT_HYPER(EDGEOPT_LION, lion, beta2, EDGEOPT_ERR_INVALID_BETA2, rule::unit_closed),
        EDGEOPT_HYPER(EDGEOPT_LION, lion, weight_decay, EDGEOPT_ERR_INVALID_WEIGHT_DECAY, nn),
        EDGEOPT_HYPER(EDGEOPT_RPROP, rprop, lr, EDGEOPT_ERR_INVALID_LR, nn),
        EDGEOPT_HYPER(EDGEOPT_RPROP, rprop, etaminus, EDGEOPT_ERR_INVALID_ETAS, rule::eta_minus),
        EDGEOPT_HYPER(EDGEOPT_RPROP, rprop, etaplus, EDGEOPT_ERR_INVALID_ETAS, rule::eta_plus),
        EDGEOPT_HYPER(EDGEOPT_RPROP, rprop, step_size_min, EDGEOPT_ERR_INVALID_STEP_SIZES, nn),
        EDGEOPT_HYPER(EDGEOPT_RPROP, rprop, step_size_max, EDGEOPT_ERR_INVALID_STEP_SIZES, nn),
        EDGEOPT_HYPER(EDGEOPT_ASGD, asgd, lr, EDGEOPT_ERR_INVALID_LR, nn),
        EDGEOPT_HYPER(EDGEOPT_ASGD, asgd, lambd, EDGEOPT_ERR_INVALID_LAMBD, nn),
        EDGEOPT_HYPER(EDGEOPT_ASGD, asgd, alpha, EDGEOPT_ERR_INVALID_ALPHA, nn),
        EDGEOPT_HYPER(EDGEOPT_ASGD, asgd, t0, EDGEOPT_ERR_INVALID_T0, nn),
        EDGEOPT_HYPER(EDGEOPT_ASGD, asgd, weight_decay, EDGEOPT_ERR_INVALID_WEIGHT_DECAY, nn),
    };
    // The Adam family shares lr, betas, eps and weight_decay (different structs, same rules).
    auto add_adam_like = [&](edgeopt_algorithm a, auto lr, auto beta1, auto beta2, auto eps, auto wd) {
        all.push_back({a, "lr", lr, EDGEOPT_ERR_INVALID_LR, nn});
        all.push_back({a, "beta1", beta1, EDGEOPT_ERR_INVALID_BETA1, rule::unit_open});
        all.push_back({a, "beta2", beta2, EDGEOPT_ERR_INVALID_BETA2, rule::unit_open});
        all.push_back({a, "eps", eps, EDGEOPT_ERR_INVALID_EPS, nn});
        all.push_back({a, "weight_decay", wd, EDGEOPT_ERR_INVALID_WEIGHT_DECAY, nn});
    };
#define EDGEOPT_ADAM_LIKE(algorithm, o)                                                                   \
    add_adam_like(                                                                                         \
        algorithm, [](edgeopt_config& c) { return &c.o.lr; }, [](edgeopt_config& c) { return &c.o.beta1; }, \
        [](edgeopt_config& c) { return &c.o.beta2; }, [](edgeopt_config& c) { return &c.o.eps; },           \
        [](edgeopt_config& c) { return &c.o.weight_decay; })
    EDGEOPT_ADAM_LIKE(EDGEOPT_ADAM, adam);
    EDGEOPT_ADAM_LIKE(EDGEOPT_ADAMW, adam);
    EDGEOPT_ADAM_LIKE(EDGEOPT_ADAMAX, adamax);
    EDGEOPT_ADAM_LIKE(EDGEOPT_NADAM, nadam);
    EDGEOPT_ADAM_LIKE(EDGEOPT_RADAM, radam);
#undef EDGEOPT_ADAM_LIKE
    return all;
}

inline std::vector<flag> flags() {
    return {EDGEOPT_FLAG(EDGEOPT_SGD, sgd, nesterov),         EDGEOPT_FLAG(EDGEOPT_SGD, sgd, maximize),
            EDGEOPT_FLAG(EDGEOPT_ADAGRAD, adagrad, maximize), EDGEOPT_FLAG(EDGEOPT_RMSPROP, rmsprop, centered),
            EDGEOPT_FLAG(EDGEOPT_RMSPROP, rmsprop, maximize), EDGEOPT_FLAG(EDGEOPT_ADADELTA, adadelta, maximize),
            EDGEOPT_FLAG(EDGEOPT_ADAM, adam, amsgrad),        EDGEOPT_FLAG(EDGEOPT_ADAM, adam, maximize),
            EDGEOPT_FLAG(EDGEOPT_ADAMW, adam, amsgrad),       EDGEOPT_FLAG(EDGEOPT_ADAMW, adam, maximize),
            EDGEOPT_FLAG(EDGEOPT_ADAMAX, adamax, maximize),   EDGEOPT_FLAG(EDGEOPT_RPROP, rprop, maximize),
            EDGEOPT_FLAG(EDGEOPT_ASGD, asgd, maximize)};
}

inline double& field_of(edgeopt_config& config, const char* name) {
    for (const hyper_parameter& h : hyper_parameters())
        if (h.algorithm == config.algorithm && std::strcmp(h.name, name) == 0) return *h.field(config);
    FAIL("no hyper-parameter ", name);
    throw;
}

inline std::vector<double> bad_values(rule kind) {
    switch (kind) {
        case rule::non_negative: return {-1.0, -1e-300, -inf, inf, nan_value};
        case rule::finite: return {-inf, inf, nan_value};
        case rule::unit_closed: return {-1e-9, 1.0 + 1e-9, -inf, inf, nan_value};
        case rule::unit_open: return {-1e-9, 1.0, 1.5, inf, nan_value};
        // 1e-50 rounds to float32 0, 1 - 1e-9 and 1 + 1e-9 to 1, 1e39 to infinity.
        case rule::eta_minus: return {0.0, -0.5, 1e-50, 1.0 - 1e-9, 1.0, 1.5, inf, nan_value};
        case rule::eta_plus: return {1.0, 1.0 + 1e-9, 0.5, -2.0, 1e39, inf, nan_value};
    }
    return {};
}

inline std::vector<double> good_values(rule kind) {
    switch (kind) {
        case rule::non_negative: return {0.0, -0.0, 0.5, 1e6};
        case rule::finite: return {-0.5, 0.0, 0.5};
        case rule::unit_closed: return {0.0, 0.5, 1.0};
        case rule::unit_open: return {0.0, 0.5, 0.999999};
        case rule::eta_minus: return {1e-30, 0.5, 0.999};
        case rule::eta_plus: return {1.001, 1.2, 1e30};
    }
    return {};
}

// torch's defaults, plus a learning rate for SGD (which has none).
inline edgeopt_config valid_config(edgeopt_algorithm algorithm) {
    edgeopt_config c = edgeopt_defaults(algorithm);
    if (algorithm == EDGEOPT_SGD) c.sgd.lr = 0.1;
    return c;
}

// Same algorithm, every hyper-parameter bit-identical, every flag equal.
inline bool same_config(edgeopt_config a, edgeopt_config b) {
    if (a.algorithm != b.algorithm) return false;
    for (const hyper_parameter& h : hyper_parameters())
        if (h.algorithm == a.algorithm && std::memcmp(h.field(a), h.field(b), sizeof(double)) != 0) return false;
    for (const flag& f : flags())
        if (f.algorithm == a.algorithm && *f.field(a) != *f.field(b)) return false;
    return true;
}

// ---- A test rig: an optimizer and everything it touches ------------------

// Owns params, grads, the arena (with margins on both sides, for overlap and
// write-outside-the-arena tests) and the optimizer object, so that one
// snapshot covers all the bytes a call could modify.
struct rig {
    static constexpr std::size_t margin = 256;

    edgeopt_config config;
    std::vector<std::size_t> lengths;
    std::vector<std::vector<float>> params, grads;
    std::vector<unsigned char> storage;
    unsigned char* arena = nullptr;
    std::size_t arena_bytes = 0;
    edgeopt_optimizer opt;

    explicit rig(const edgeopt_config& c, std::vector<std::size_t> tensor_lengths = {13, 0, 70}, std::uint32_t seed = 1)
        : config(c), lengths(std::move(tensor_lengths)) {
        std::size_t total = 0;
        for (std::size_t i = 0; i < lengths.size(); ++i) {
            params.push_back(test::random_values(lengths[i], seed + 2 * static_cast<std::uint32_t>(i)));
            total += lengths[i];
        }
        new_grads(seed + 1000);
        // An upper bound for any config, rounded so that the arena's end is float-aligned.
        place_arena(0, (EDGEOPT_ARENA_BYTES(3, lengths.size(), total) + 63) / 64 * 64);
        std::memset(&opt, 0, sizeof opt);
    }

    // The arena starts `misalign` bytes after a 64-byte boundary.
    void place_arena(std::size_t misalign, std::size_t bytes) {
        storage.assign(2 * margin + 64 + bytes, 0xA5);
        const auto address = reinterpret_cast<std::uintptr_t>(storage.data() + margin);
        arena = storage.data() + margin + (64 - address % 64) % 64 + misalign;
        arena_bytes = bytes;
    }

    void new_grads(std::uint32_t seed) {
        grads.clear();
        for (std::size_t i = 0; i < lengths.size(); ++i)
            grads.push_back(test::random_values(lengths[i], seed + static_cast<std::uint32_t>(i), 2.0f));
    }

    edgeopt_status init_with(const edgeopt_config& c, std::size_t bytes) {
        return edgeopt_init(&opt, &c, lengths.data(), lengths.size(), arena, bytes);
    }
    edgeopt_status init() { return init_with(config, arena_bytes); }

    std::vector<edgeopt_tensor> tensors() {
        std::vector<edgeopt_tensor> t;
        for (std::size_t i = 0; i < lengths.size(); ++i) t.push_back({params[i].data(), grads[i].data(), lengths[i]});
        return t;
    }
    edgeopt_status step_with(const std::vector<edgeopt_tensor>& t) { return edgeopt_step(&opt, t.data(), t.size()); }
    edgeopt_status step() { return step_with(tensors()); }
    edgeopt_status step_with_tensor0(float* param, const float* grad) {
        std::vector<edgeopt_tensor> t = tensors();
        t[0].param = param;
        t[0].grad = grad;
        return step_with(t);
    }

    // Initialized and a few steps in, so that state holds more than zeros.
    void start(int steps = 2) {
        REQUIRE_EQ(init(), EDGEOPT_OK);
        for (int s = 0; s < steps; ++s) REQUIRE_EQ(step(), EDGEOPT_OK);
    }

    std::vector<float> state(std::size_t tensor, unsigned slot) const {
        const float* buffer = edgeopt_state_buffer(&opt, tensor, slot);
        return buffer ? std::vector<float>(buffer, buffer + lengths[tensor]) : std::vector<float>{};
    }
    std::vector<std::vector<float>> all_state() const {
        std::vector<std::vector<float>> all;
        for (std::size_t i = 0; i < lengths.size(); ++i)
            for (unsigned k = 0; k < 3; ++k) all.push_back(state(i, k));
        return all;
    }

    std::vector<unsigned char> snapshot() const {
        std::vector<unsigned char> bytes(storage);
        auto append = [&](const void* p, std::size_t n) {
            const auto* b = static_cast<const unsigned char*>(p);
            bytes.insert(bytes.end(), b, b + n);
        };
        for (const auto& p : params) append(p.data(), p.size() * sizeof(float));
        for (const auto& g : grads) append(g.data(), g.size() * sizeof(float));
        append(&opt, sizeof opt);
        return bytes;
    }
};

// Runs a call that must fail with `expected` and checks it wrote nothing.
template <class Call>
inline void expect_untouched(rig& r, edgeopt_status expected, Call&& call) {
    const std::vector<unsigned char> before = r.snapshot();
    CHECK_EQ(call(), expected);
    CHECK(r.snapshot() == before);
}

using call_list = std::vector<std::pair<const char*, std::function<edgeopt_status()>>>;

inline void expect_all_untouched(rig& r, edgeopt_status expected, const call_list& calls) {
    for (const auto& entry : calls) {  // (no structured binding: clang 14 cannot capture one in INFO)
        const char* what = entry.first;
        const auto& call = entry.second;
        INFO(what);
        expect_untouched(r, expected, call);
    }
}

inline bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!test::same_bits(a[i], b[i])) return false;
    return true;
}

inline bool same_nested(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same_floats(a[i], b[i])) return false;
    return true;
}

// Saves EDGEOPT_ISA (CI may set it) and restores it on scope exit.
class isa_environment {
public:
    explicit isa_environment(const char* value) {
        if (const char* old = std::getenv("EDGEOPT_ISA")) saved_ = old;
        if (value)
            setenv("EDGEOPT_ISA", value, 1);
        else
            unsetenv("EDGEOPT_ISA");
    }
    ~isa_environment() {
        if (saved_)
            setenv("EDGEOPT_ISA", saved_->c_str(), 1);
        else
            unsetenv("EDGEOPT_ISA");
    }
    isa_environment(const isa_environment&) = delete;
    isa_environment& operator=(const isa_environment&) = delete;

private:
    std::optional<std::string> saved_;
};

inline std::vector<edgeopt_isa> unavailable_isas() {
    std::vector<edgeopt_isa> isas;
    for (int i = EDGEOPT_ISA_SCALAR; i < EDGEOPT_ISA_COUNT; ++i)
        if (!edgeopt_isa_available(static_cast<edgeopt_isa>(i))) isas.push_back(static_cast<edgeopt_isa>(i));
    return isas;
}

}  // namespace api_test
