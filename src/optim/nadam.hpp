// NAdam — torch.optim.NAdam (torch >= 2.0, and 1.13's foreach path).
//
//   g ← g + λθ
//   μₜ ← β₁(1 − ½·0.96^(tψ)),  Πₜ ← Πₜ₋₁μₜ              (ψ = momentum_decay)
//   m ← β₁m + (1−β₁)g
//   v ← β₂v + (1−β₂)g²
//   d ← √v/√(1−β₂ᵗ) + ε
//   θ ← θ − γ(1−μₜ)/(1−Πₜ) · g/d − γμₜ₊₁/(1−Πₜμₜ₊₁) · m/d
//
// torch 1.13's default single-tensor path multiplies Πₜ by μₜ twice in the
// second coefficient (fixed in 2.0); we follow the corrected form, which is
// Dozat's.  Πₜ is rounded to float32 every step, as torch's state tensor is.
// 0.96^(tψ) uses detmath so every platform gets the same bits.
#pragma once
#include <cmath>

#include "detmath.hpp"
#include "optim/common.hpp"

namespace edgeopt::optim {

struct nadam {
    using options = edgeopt_nadam_options;
    static const options& of(const edgeopt_config& c) { return c.nadam; }
    static const char* slot_name(unsigned slot) {
        static const char* const names[] = {"exp_avg", "exp_avg_sq"};
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
        if (!non_negative(o.momentum_decay)) return EDGEOPT_ERR_INVALID_MOMENTUM_DECAY;
        return EDGEOPT_OK;
    }

    struct coeffs {
        float beta1, one_minus_beta1, beta2, one_minus_beta2, weight_decay;
        float bias_correction2_sqrt, eps, neg_grad_step, neg_avg_step;
        bool weight_decay_on;
    };

    static double momentum_at(const options& o, std::uint64_t t) {
        return o.beta1 * (1.0 - 0.5 * detmath::pow(0.96, static_cast<double>(t) * o.momentum_decay));
    }

    // mu_product holds Πₜ₋₁ on entry and Πₜ on return.
    static coeffs at_step(const edgeopt_config& config, std::uint64_t t, double& mu_product) {
        const options& o = of(config);
        const double mu = momentum_at(o, t);
        const double mu_next = momentum_at(o, t + 1);
        // torch keeps Πₜ in a float32 tensor: round it the same way.
        mu_product = to_f32(mu_product * to_f32(mu));
        const double bias_correction2 = 1.0 - detmath::powi(o.beta2, t);
        return {to_f32(o.beta1),
                to_f32(1.0 - o.beta1),
                to_f32(o.beta2),
                to_f32(1.0 - o.beta2),
                to_f32(o.weight_decay),
                to_f32(std::sqrt(bias_correction2)),
                to_f32(o.eps),
                to_f32(-o.lr * (1.0 - mu) / (1.0 - mu_product)),
                to_f32(-o.lr * mu_next / (1.0 - mu_product * mu_next)),
                o.weight_decay != 0.0};
    }

    template <class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        const V d = signed_decayed_grad(g, p, false, c.weight_decay_on, c.weight_decay);
        V& exp_avg = s[0];
        V& exp_avg_sq = s[1];
        exp_avg = fma(V(c.one_minus_beta1), d, V(c.beta1) * exp_avg);
        exp_avg_sq = fma(V(c.one_minus_beta2) * d, d, V(c.beta2) * exp_avg_sq);
        const V denom = sqrt(exp_avg_sq) / V(c.bias_correction2_sqrt) + V(c.eps);
        p = p + V(c.neg_grad_step) * d / denom;
        p = p + V(c.neg_avg_step) * exp_avg / denom;
    }
};

}  // namespace edgeopt::optim
