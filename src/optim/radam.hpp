// SPDX-License-Identifier: Apache-2.0
// RAdam — torch.optim.RAdam (1.13).
//
//   g ← g + λθ
//   m ← β₁m + (1−β₁)g;   v ← β₂v + (1−β₂)g²
//   ρ∞ = 2/(1−β₂) − 1;   ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ)
//   ρₜ > 5:  r = √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ))
//            θ ← θ − γ·r·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε)
//   else:    θ ← θ − γ/(1−β₁ᵗ) · m
//
// Liu et al. write the adaptive term as √((1−β₂ᵗ)/v) with no ε; torch adds ε
// to √v, as here.  The step scalars multiply the tensor one at a time, in
// torch's order, so the float32 roundings are torch's.
//
// Folded form (EDGEOPT_FORM_FOLDED, opt-in): the step scalars multiplied
// together in double and rounded once (ε stays where torch puts it):
//   ρₜ > 5:  θ ← θ + s · m/(√v + ε),  s = −γ·r·√(1−β₂ᵗ)/(1−β₁ᵗ)
//   else:    θ ← θ + s · m,           s = −γ/(1−β₁ᵗ)
// one divide per element (none unrectified) where torch's order needs two.
#pragma once
#include <cmath>

#include "detmath.hpp"
#include "optim/common.hpp"

namespace edgeopt::optim {

struct radam : two_moment_state<edgeopt_radam_options> {
    using options = edgeopt_radam_options;
    static constexpr bool has_folded_form = true;
    static const options& of(const edgeopt_config& c) { return c.radam; }
    static constexpr algorithm_name names[] = {{EDGEOPT_RADAM, "radam", "RAdam"}};
    static options defaults(edgeopt_algorithm) { return {1e-3, 0.9, 0.999, 1e-8, 0.0}; }
    static options& of(edgeopt_config& c) { return c.radam; }
    static constexpr option_field fields[] = {
        real("lr", offsetof(options, lr)),
        beta("beta1", 0, offsetof(options, beta1)),
        beta("beta2", 1, offsetof(options, beta2)),
        real("eps", offsetof(options, eps)),
        real("weight_decay", offsetof(options, weight_decay))};

    static edgeopt_status validate(const options& o) {
        return validate_adam_like(o.lr, o.eps, o.beta1, o.beta2, o.weight_decay);
    }

    struct coeffs {
        grad_prep prep;
        average_weights beta1, beta2;
        // Folded form: rect is s (bias_correction1, bias_correction2_sqrt and lr unused).
        float eps, bias_correction1, bias_correction2_sqrt, lr, rect;
        bool rectified, folded;
    };

    // Kernel variants (common.hpp): the two moments, in both forms.
    // rectified stays a run-time flag.
    static constexpr unsigned variants[] = {3u, 3u | folded_variant};
    static unsigned variant(const coeffs& c) { return c.folded ? 3u | folded_variant : 3u; }

    static coeffs at_step(const edgeopt_config& config, std::uint64_t t, double&) {
        const options& o = of(config);
        const double beta2_t = detmath::powi(o.beta2, t);
        const double bias_correction2 = 1.0 - beta2_t;
        const double rho_inf = 2.0 / (1.0 - o.beta2) - 1.0;
        const double rho_t = rho_inf - 2.0 * static_cast<double>(t) * beta2_t / bias_correction2;
        const bool rectified = rho_t > 5.0;
        const double rect =
            rectified ? std::sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
                      : 0.0;
        const double bias_correction1 = 1.0 - detmath::powi(o.beta1, t);
        const double root2 = std::sqrt(bias_correction2);
        const bool fold = folded(config);
        const double folded_step = rectified ? -(o.lr * rect * root2 / bias_correction1) : -(o.lr / bias_correction1);
        return {grad_prep::of(o.weight_decay, false),
                average_weights::of(o.beta1),
                average_weights::of(o.beta2),
                to_f32(o.eps),
                to_f32(bias_correction1),
                to_f32(root2),
                to_f32(o.lr),
                to_f32(fold ? folded_step : rect),
                rectified,
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
            p = fma(V(c.rect), c.rectified ? exp_avg / (sqrt(exp_avg_sq) + V(c.eps)) : exp_avg, p);
            return;
        }
        const V step = exp_avg / V(c.bias_correction1) * V(c.lr);
        if (c.rectified) {
            // torch forms √(1−β₂ᵗ)/(√v + ε) as a reciprocal times a scalar.
            const V adaptive_lr = V(1.0f) / (sqrt(exp_avg_sq) + V(c.eps)) * V(c.bias_correction2_sqrt);
            p = p - step * adaptive_lr * V(c.rect);
        } else {
            p = p - step;
        }
    }
};

}  // namespace edgeopt::optim
