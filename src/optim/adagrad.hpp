// SPDX-License-Identifier: Apache-2.0
// AdaGrad — torch.optim.Adagrad (1.13).
//
//   g ← −g if maximize;   g ← g + λθ
//   γₜ ← γ / (1 + (t−1)·η)                       (η = lr_decay)
//   s ← s + g²                                   (s starts at initial_accumulator_value)
//   θ ← θ − γₜ · g / (√s + ε)
//
// The textbook form θ ← θ − γ g/√(s + ε) (Duchi et al.; "Deep Learning from
// Scratch" adds 1e-7 to √s) differs only in where ε sits; torch's is used.
#pragma once
#include "optim/common.hpp"

namespace edgeopt::optim {

struct adagrad : one_variant<1u> {
    using options = edgeopt_adagrad_options;
    static const options& of(const edgeopt_config& c) { return c.adagrad; }
    static constexpr algorithm_name names[] = {{EDGEOPT_ADAGRAD, "adagrad", "Adagrad"}};
    static options defaults(edgeopt_algorithm) { return {1e-2, 0.0, 0.0, 0.0, 1e-10, false}; }
    static options& of(edgeopt_config& c) { return c.adagrad; }
    static constexpr option_field fields[] = {
        real("lr", offsetof(options, lr)),
        real("lr_decay", offsetof(options, lr_decay)),
        real("weight_decay", offsetof(options, weight_decay)),
        real("initial_accumulator_value", offsetof(options, initial_accumulator_value)),
        real("eps", offsetof(options, eps)),
        flag("maximize", offsetof(options, maximize))};
    static const char* slot_name(unsigned slot) { return slot == 0 ? "sum" : nullptr; }
    static unsigned slot_mask(const options&) { return 1u; }
    static float initial_value(const options& o, unsigned) { return to_f32(o.initial_accumulator_value); }

    static edgeopt_status validate(const options& o) {
        if (!non_negative(o.lr)) return EDGEOPT_ERR_INVALID_LR;
        if (!non_negative(o.lr_decay)) return EDGEOPT_ERR_INVALID_LR_DECAY;
        if (!non_negative(o.weight_decay)) return EDGEOPT_ERR_INVALID_WEIGHT_DECAY;
        if (!non_negative(o.initial_accumulator_value)) return EDGEOPT_ERR_INVALID_INITIAL_ACCUMULATOR;
        if (!non_negative(o.eps)) return EDGEOPT_ERR_INVALID_EPS;
        return EDGEOPT_OK;
    }

    struct coeffs {
        grad_prep prep;
        float neg_clr, eps;
    };

    static coeffs at_step(const edgeopt_config& config, std::uint64_t t, double&) {
        const options& o = of(config);
        const double clr = o.lr / (1.0 + static_cast<double>(t - 1) * o.lr_decay);
        return {grad_prep::of(o.weight_decay, o.maximize), to_f32(-clr), to_f32(o.eps)};
    }

    template <unsigned = any_variant, class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        const V d = c.prep(g, p);
        V& sum = s[0];
        sum = fma(d, d, sum);
        p = p + V(c.neg_clr) * d / (sqrt(sum) + V(c.eps));
    }
};

}  // namespace edgeopt::optim
