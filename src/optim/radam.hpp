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
#pragma once
#include <cmath>

#include "detmath.hpp"
#include "optim/common.hpp"

namespace edgeopt::optim {

struct radam : two_moment_state<edgeopt_radam_options> {
    using options = edgeopt_radam_options;
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
        float eps, bias_correction1, bias_correction2_sqrt, lr, rect;
        bool rectified;
    };

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
        return {grad_prep::of(o.weight_decay, false),
                average_weights::of(o.beta1),
                average_weights::of(o.beta2),
                to_f32(o.eps),
                to_f32(1.0 - detmath::powi(o.beta1, t)),
                to_f32(std::sqrt(bias_correction2)),
                to_f32(o.lr),
                to_f32(rect),
                rectified};
    }

    template <unsigned = any_variant, class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        const V d = c.prep(g, p);
        V& exp_avg = s[0];
        V& exp_avg_sq = s[1];
        exp_avg = running_average(c.beta1, exp_avg, d);
        exp_avg_sq = running_average_sq(c.beta2, exp_avg_sq, d);
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
