// SPDX-License-Identifier: Apache-2.0
// AdaMax — torch.optim.Adamax (1.13).
//
//   g ← −g if maximize;   g ← g + λθ
//   m ← β₁m + (1−β₁)g
//   u ← max(β₂u, |g| + ε)
//   θ ← θ − γ/(1−β₁ᵗ) · m/u
//
// Kingma & Ba's §7.1 has u ← max(β₂u, |g|) and no ε; torch adds ε inside the
// max so u never reaches 0.
#pragma once
#include "detmath.hpp"
#include "optim/common.hpp"

namespace edgeopt::optim {

struct adamax : one_variant<3u> {
    using options = edgeopt_adamax_options;
    static const options& of(const edgeopt_config& c) { return c.adamax; }
    static constexpr algorithm_name names[] = {{EDGEOPT_ADAMAX, "adamax", "Adamax"}};
    static options defaults(edgeopt_algorithm) { return {2e-3, 0.9, 0.999, 1e-8, 0.0, false}; }
    static options& of(edgeopt_config& c) { return c.adamax; }
    static constexpr option_field fields[] = {
        real("lr", offsetof(options, lr)),
        beta("beta1", 0, offsetof(options, beta1)),
        beta("beta2", 1, offsetof(options, beta2)),
        real("eps", offsetof(options, eps)),
        real("weight_decay", offsetof(options, weight_decay)),
        flag("maximize", offsetof(options, maximize))};
    static const char* slot_name(unsigned slot) {
        static const char* const names[] = {"exp_avg", "exp_inf"};
        return slot < 2 ? names[slot] : nullptr;
    }
    static unsigned slot_mask(const options&) { return 3u; }
    static float initial_value(const options&, unsigned) { return 0.0f; }

    static edgeopt_status validate(const options& o) {
        return validate_adam_like(o.lr, o.eps, o.beta1, o.beta2, o.weight_decay);
    }

    struct coeffs {
        grad_prep prep;
        average_weights beta1;
        float beta2, eps, neg_clr;
    };

    static coeffs at_step(const edgeopt_config& config, std::uint64_t t, double&) {
        const options& o = of(config);
        const double bias_correction = 1.0 - detmath::powi(o.beta1, t);
        return {grad_prep::of(o.weight_decay, o.maximize), average_weights::of(o.beta1), to_f32(o.beta2),
                to_f32(o.eps), to_f32(-(o.lr / bias_correction))};
    }

    template <unsigned = any_variant, class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        const V d = c.prep(g, p);
        V& exp_avg = s[0];
        V& exp_inf = s[1];
        exp_avg = running_average(c.beta1, exp_avg, d);
        exp_inf = maximum(V(c.beta2) * exp_inf, abs(d) + V(c.eps));
        p = p + V(c.neg_clr) * exp_avg / exp_inf;
    }
};

}  // namespace edgeopt::optim
