// SPDX-License-Identifier: Apache-2.0
// The C API's contract (edgeopt.h): every error it can return, that a failing
// call leaves params, grads, arena and optimizer bit-for-bit untouched, the
// arena layout, the life cycle of state, torch's defaults and the name tables.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
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
// by argument-dependent lookup from doctest's expression decomposer.
doctest::String toString(edgeopt_status status) {
    return doctest::toString(static_cast<int>(status)) + " (" + edgeopt_status_message(status) + ")";
}

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

// Every algorithm of the enum (EDGEOPT_SGD .. + EDGEOPT_ALGORITHM_COUNT - 1).
const std::vector<edgeopt_algorithm> all_algorithms = [] {
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

std::vector<hyper_parameter> hyper_parameters() {
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

std::vector<flag> flags() {
    return {EDGEOPT_FLAG(EDGEOPT_SGD, sgd, nesterov),         EDGEOPT_FLAG(EDGEOPT_SGD, sgd, maximize),
            EDGEOPT_FLAG(EDGEOPT_ADAGRAD, adagrad, maximize), EDGEOPT_FLAG(EDGEOPT_RMSPROP, rmsprop, centered),
            EDGEOPT_FLAG(EDGEOPT_RMSPROP, rmsprop, maximize), EDGEOPT_FLAG(EDGEOPT_ADADELTA, adadelta, maximize),
            EDGEOPT_FLAG(EDGEOPT_ADAM, adam, amsgrad),        EDGEOPT_FLAG(EDGEOPT_ADAM, adam, maximize),
            EDGEOPT_FLAG(EDGEOPT_ADAMW, adam, amsgrad),       EDGEOPT_FLAG(EDGEOPT_ADAMW, adam, maximize),
            EDGEOPT_FLAG(EDGEOPT_ADAMAX, adamax, maximize),   EDGEOPT_FLAG(EDGEOPT_RPROP, rprop, maximize),
            EDGEOPT_FLAG(EDGEOPT_ASGD, asgd, maximize)};
}

double& field_of(edgeopt_config& config, const char* name) {
    for (const hyper_parameter& h : hyper_parameters())
        if (h.algorithm == config.algorithm && std::strcmp(h.name, name) == 0) return *h.field(config);
    FAIL("no hyper-parameter ", name);
    throw;
}

std::vector<double> bad_values(rule kind) {
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

std::vector<double> good_values(rule kind) {
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
edgeopt_config valid_config(edgeopt_algorithm algorithm) {
    edgeopt_config c = edgeopt_defaults(algorithm);
    if (algorithm == EDGEOPT_SGD) c.sgd.lr = 0.1;
    return c;
}

// Same algorithm, every hyper-parameter bit-identical, every flag equal.
bool same_config(edgeopt_config a, edgeopt_config b) {
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
void expect_untouched(rig& r, edgeopt_status expected, Call&& call) {
    const std::vector<unsigned char> before = r.snapshot();
    CHECK_EQ(call(), expected);
    CHECK(r.snapshot() == before);
}

using call_list = std::vector<std::pair<const char*, std::function<edgeopt_status()>>>;

void expect_all_untouched(rig& r, edgeopt_status expected, const call_list& calls) {
    for (const auto& [what, call] : calls) {
        INFO(what);
        expect_untouched(r, expected, call);
    }
}

bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!test::same_bits(a[i], b[i])) return false;
    return true;
}

bool same_nested(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
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

std::vector<edgeopt_isa> unavailable_isas() {
    std::vector<edgeopt_isa> isas;
    for (int i = EDGEOPT_ISA_SCALAR; i < EDGEOPT_ISA_COUNT; ++i)
        if (!edgeopt_isa_available(static_cast<edgeopt_isa>(i))) isas.push_back(static_cast<edgeopt_isa>(i));
    return isas;
}

}  // namespace

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
    for (auto [momentum, dampening] : {std::pair{0.0, 0.0}, std::pair{0.9, 0.1}, std::pair{0.0, 0.1}}) {
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
    for (const auto& [from, to] : changes) {
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

// Bit pattern every state float holds after init() and reset().
// torch's initial state: zeros, except Adagrad's accumulator and Rprop's
// step_size (slot 1), which start at a hyper-parameter rounded to float32.
float initial_state(const edgeopt_config& c, unsigned slot) {
    if (c.algorithm == EDGEOPT_ADAGRAD) return static_cast<float>(c.adagrad.initial_accumulator_value);
    if (c.algorithm == EDGEOPT_RPROP && slot == 1) return static_cast<float>(c.rprop.lr);
    return 0.0f;
}

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
        for (const auto& [name, value] : expected.values) {
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
