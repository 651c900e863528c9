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

struct radam {
    using options = edgeopt_radam_options;
    static const options& of(const edgeopt_config& c) { return c.radam; }
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
        return EDGEOPT_OK;
    }

    struct coeffs {
        float beta1, one_minus_beta1, beta2, one_minus_beta2, weight_decay, eps;
        float bias_correction1, bias_correction2_sqrt, lr, rect;
        bool weight_decay_on, rectified;
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
        return {to_f32(o.beta1),
                to_f32(1.0 - o.beta1),
                to_f32(o.beta2),
                to_f32(1.0 - o.beta2),
                to_f32(o.weight_decay),
                to_f32(o.eps),
                to_f32(1.0 - detmath::powi(o.beta1, t)),
                to_f32(std::sqrt(bias_correction2)),
                to_f32(o.lr),
                to_f32(rect),
                o.weight_decay != 0.0,
                rectified};
    }

    template <class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        const V d = signed_decayed_grad(g, p, false, c.weight_decay_on, c.weight_decay);
        V& exp_avg = s[0];
        V& exp_avg_sq = s[1];
        exp_avg = fma(V(c.one_minus_beta1), d, V(c.beta1) * exp_avg);
        exp_avg_sq = fma(V(c.one_minus_beta2) * d, d, V(c.beta2) * exp_avg_sq);
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
