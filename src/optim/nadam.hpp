// SPDX-License-Identifier: Apache-2.0
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
//
// Folded form (EDGEOPT_FORM_FOLDED, opt-in): √(1−β₂ᵗ) moves into the step
// scalars and ε becomes ε̂ = ε√(1−β₂ᵗ), the same step in exact arithmetic:
//   θ ← θ + (a·g + b·m)/(√v + ε̂)
//   a = −γ(1−μₜ)√(1−β₂ᵗ)/(1−Πₜ),  b = −γμₜ₊₁√(1−β₂ᵗ)/(1−Πₜμₜ₊₁)
// one divide per element where torch's order needs three.
#pragma once
#include <cmath>

#include "detmath.hpp"
#include "optim/common.hpp"

namespace edgeopt::optim {

struct nadam : two_moment_state<edgeopt_nadam_options> {
    using options = edgeopt_nadam_options;
    static constexpr bool has_folded_form = true;
    static const options& of(const edgeopt_config& c) { return c.nadam; }
    static constexpr algorithm_name names[] = {{EDGEOPT_NADAM, "nadam", "NAdam"}};
    static options defaults(edgeopt_algorithm) { return {2e-3, 0.9, 0.999, 1e-8, 0.0, 4e-3}; }
    static options& of(edgeopt_config& c) { return c.nadam; }
    static constexpr option_field fields[] = {
        real("lr", offsetof(options, lr)),
        beta("beta1", 0, offsetof(options, beta1)),
        beta("beta2", 1, offsetof(options, beta2)),
        real("eps", offsetof(options, eps)),
        real("weight_decay", offsetof(options, weight_decay)),
        real("momentum_decay", offsetof(options, momentum_decay))};

    static edgeopt_status validate(const options& o) {
        const edgeopt_status status = validate_adam_like(o.lr, o.eps, o.beta1, o.beta2, o.weight_decay);
        if (status != EDGEOPT_OK) return status;
        return non_negative(o.momentum_decay) ? EDGEOPT_OK : EDGEOPT_ERR_INVALID_MOMENTUM_DECAY;
    }

    struct coeffs {
        grad_prep prep;
        average_weights beta1, beta2;
        // Folded form: eps is ε̂, the steps are a and b (bias_correction2_sqrt unused).
        float bias_correction2_sqrt, eps, neg_grad_step, neg_avg_step;
        bool folded;
    };

    // Kernel variants (common.hpp): the two moments, in both forms.
    static constexpr unsigned variants[] = {3u, 3u | folded_variant};
    static unsigned variant(const coeffs& c) { return c.folded ? 3u | folded_variant : 3u; }

    // Not inlined: at_step calls it twice, and on Cortex-M4 two inlined
    // copies of detmath::pow put NAdam over 2 KB of .text.
    __attribute__((noinline)) static double momentum_at(const options& o, std::uint64_t t) {
        return o.beta1 * (1.0 - 0.5 * detmath::pow(0.96, static_cast<double>(t) * o.momentum_decay));
    }

    // mu_product holds Πₜ₋₁ on entry and Πₜ on return.
    static coeffs at_step(const edgeopt_config& config, std::uint64_t t, double& mu_product) {
        const options& o = of(config);
        const double mu = momentum_at(o, t);
        const double mu_next = momentum_at(o, t + 1);
        // torch keeps Πₜ in a float32 tensor: round it the same way.
        mu_product = to_f32(mu_product * to_f32(mu));
        const double root2 = std::sqrt(1.0 - detmath::powi(o.beta2, t));
        const bool fold = folded(config);
        const double scale = fold ? root2 : 1.0;  // exact: 1.0 changes no torch bits
        return {grad_prep::of(o.weight_decay, false),
                average_weights::of(o.beta1),
                average_weights::of(o.beta2),
                to_f32(root2),
                to_f32(o.eps * scale),
                to_f32(-o.lr * (1.0 - mu) / (1.0 - mu_product) * scale),
                to_f32(-o.lr * mu_next / (1.0 - mu_product * mu_next) * scale),
                fold};
    }

    template <unsigned Variant = any_variant, class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        const V d = c.prep(g, p);
        V& exp_avg = s[0];
        V& exp_avg_sq = s[1];
        exp_avg = running_average(c.beta1, exp_avg, d);
        exp_avg_sq = running_average_sq(c.beta2, exp_avg_sq, d);
        if (has<Variant>(folded_variant, c.folded)) {
            p = p + fma(V(c.neg_grad_step), d, V(c.neg_avg_step) * exp_avg) / (sqrt(exp_avg_sq) + V(c.eps));
            return;
        }
        const V denom = sqrt(exp_avg_sq) / V(c.bias_correction2_sqrt) + V(c.eps);
        p = p + V(c.neg_grad_step) * d / denom;
        p = p + V(c.neg_avg_step) * exp_avg / denom;
    }
};

}  // namespace edgeopt::optim
