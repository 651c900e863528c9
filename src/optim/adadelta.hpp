// SPDX-License-Identifier: Apache-2.0
// AdaDelta — torch.optim.Adadelta (1.13).
//
//   g ← −g if maximize;   g ← g + λθ
//   v ← ρv + (1−ρ)g²
//   Δ ← √(u + ε) / √(v + ε) · g
//   u ← ρu + (1−ρ)Δ²
//   θ ← θ − γΔ
//
// Zeiler's paper has no learning rate (γ = 1, torch's default).
#pragma once
#include "optim/common.hpp"

namespace edgeopt::optim {

struct adadelta : one_variant<3u> {
    using options = edgeopt_adadelta_options;
    static const options& of(const edgeopt_config& c) { return c.adadelta; }
    static constexpr algorithm_name names[] = {{EDGEOPT_ADADELTA, "adadelta", "Adadelta"}};
    static options defaults(edgeopt_algorithm) { return {1.0, 0.9, 1e-6, 0.0, false}; }
    static options& of(edgeopt_config& c) { return c.adadelta; }
    static constexpr option_field fields[] = {
        real("lr", offsetof(options, lr)),
        real("rho", offsetof(options, rho)),
        real("eps", offsetof(options, eps)),
        real("weight_decay", offsetof(options, weight_decay)),
        flag("maximize", offsetof(options, maximize))};
    static const char* slot_name(unsigned slot) {
        static const char* const names[] = {"square_avg", "acc_delta"};
        return slot < 2 ? names[slot] : nullptr;
    }
    static unsigned slot_mask(const options&) { return 3u; }
    static float initial_value(const options&, unsigned) { return 0.0f; }

    static edgeopt_status validate(const options& o) {
        if (!non_negative(o.lr)) return EDGEOPT_ERR_INVALID_LR;
        if (!unit_interval_closed(o.rho)) return EDGEOPT_ERR_INVALID_RHO;
        if (!non_negative(o.eps)) return EDGEOPT_ERR_INVALID_EPS;
        if (!non_negative(o.weight_decay)) return EDGEOPT_ERR_INVALID_WEIGHT_DECAY;
        return EDGEOPT_OK;
    }

    struct coeffs {
        grad_prep prep;
        average_weights rho;
        float neg_lr, eps;
    };

    static coeffs at_step(const edgeopt_config& config, std::uint64_t, double&) {
        const options& o = of(config);
        return {grad_prep::of(o.weight_decay, o.maximize), average_weights::of(o.rho), to_f32(-o.lr), to_f32(o.eps)};
    }

    template <unsigned = any_variant, class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        const V d = c.prep(g, p);
        V& square_avg = s[0];
        V& acc_delta = s[1];
        square_avg = running_average_sq(c.rho, square_avg, d);
        const V delta = sqrt(acc_delta + V(c.eps)) / sqrt(square_avg + V(c.eps)) * d;
        acc_delta = running_average_sq(c.rho, acc_delta, delta);
        p = fma(V(c.neg_lr), delta, p);
    }
};

}  // namespace edgeopt::optim
