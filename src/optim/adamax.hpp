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

struct adamax {
    using options = edgeopt_adamax_options;
    static const options& of(const edgeopt_config& c) { return c.adamax; }
    static const char* slot_name(unsigned slot) {
        static const char* const names[] = {"exp_avg", "exp_inf"};
        return slot < 2 ? names[slot] : nullptr;
    }
    static unsigned slot_mask(const options&) { return 3u; }
    static float initial_value(const options&, unsigned) { return 0.0f; }

    static edgeopt_status validate(const options& o) {
        if (!non_negative(o.lr)) return EDGEOPT_ERR_INVALID_LR;
        if (!non_negative(o.eps)) return EDGEOPT_ERR_INVALID_EPS;
        if (!unit_interval_open(o.beta1)) return EDGEOPT_ERR_INVALID_BETA1;
        if (!unit_interval_open(o.beta2)) return EDGEOPT_ERR_INVALID_BETA2;
        if (!non_negative(o.weight_decay)) return EDGEOPT_ERR_INVALID_WEIGHT_DECAY;
        return EDGEOPT_OK;
    }

    struct coeffs {
        float beta1, one_minus_beta1, beta2, weight_decay, eps, neg_clr;
        bool maximize, weight_decay_on;
    };

    static coeffs at_step(const edgeopt_config& config, std::uint64_t t, double&) {
        const options& o = of(config);
        const double bias_correction = 1.0 - detmath::powi(o.beta1, t);
        return {to_f32(o.beta1), to_f32(1.0 - o.beta1), to_f32(o.beta2), to_f32(o.weight_decay), to_f32(o.eps),
                to_f32(-(o.lr / bias_correction)), o.maximize, o.weight_decay != 0.0};
    }

    template <class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        const V d = signed_decayed_grad(g, p, c.maximize, c.weight_decay_on, c.weight_decay);
        V& exp_avg = s[0];
        V& exp_inf = s[1];
        exp_avg = fma(V(c.one_minus_beta1), d, V(c.beta1) * exp_avg);
        exp_inf = maximum(V(c.beta2) * exp_inf, abs(d) + V(c.eps));
        p = p + V(c.neg_clr) * exp_avg / exp_inf;
    }
};

}  // namespace edgeopt::optim
