// SPDX-License-Identifier: Apache-2.0
// RMSprop — torch.optim.RMSprop (1.13).
//
//   g ← −g if maximize;   g ← g + λθ
//   v ← αv + (1−α)g²
//   centered:  ḡ ← αḡ + (1−α)g,   d ← √(v − ḡ²) + ε;   else d ← √v + ε
//   momentum μ > 0:  b ← μb + g/d,  θ ← θ − γb;          else θ ← θ − γ g/d
//
// Hinton's lecture form θ ← θ − γ g/√(v + ε) puts ε under the root; torch
// adds it outside, as here.
#pragma once
#include "optim/common.hpp"

namespace edgeopt::optim {

struct rmsprop {
    using options = edgeopt_rmsprop_options;
    static const options& of(const edgeopt_config& c) { return c.rmsprop; }
    static constexpr algorithm_name names[] = {{EDGEOPT_RMSPROP, "rmsprop", "RMSprop"}};
    static options defaults(edgeopt_algorithm) { return {1e-2, 0.99, 1e-8, 0.0, 0.0, false, false}; }
    static options& of(edgeopt_config& c) { return c.rmsprop; }
    static constexpr option_field fields[] = {
        real("lr", offsetof(options, lr)),
        real("alpha", offsetof(options, alpha)),
        real("eps", offsetof(options, eps)),
        real("weight_decay", offsetof(options, weight_decay)),
        real("momentum", offsetof(options, momentum)),
        flag("centered", offsetof(options, centered)),
        flag("maximize", offsetof(options, maximize))};
    static const char* slot_name(unsigned slot) {
        static const char* const names[] = {"square_avg", "grad_avg", "momentum_buffer"};
        return slot < 3 ? names[slot] : nullptr;
    }
    static unsigned slot_mask(const options& o) { return 1u | (o.centered ? 2u : 0u) | (o.momentum > 0.0 ? 4u : 0u); }
    static float initial_value(const options&, unsigned) { return 0.0f; }

    static edgeopt_status validate(const options& o) {
        if (!non_negative(o.lr)) return EDGEOPT_ERR_INVALID_LR;
        if (!non_negative(o.eps)) return EDGEOPT_ERR_INVALID_EPS;
        if (!non_negative(o.momentum)) return EDGEOPT_ERR_INVALID_MOMENTUM;
        if (!non_negative(o.weight_decay)) return EDGEOPT_ERR_INVALID_WEIGHT_DECAY;
        if (!non_negative(o.alpha)) return EDGEOPT_ERR_INVALID_ALPHA;
        return EDGEOPT_OK;
    }

    struct coeffs {
        grad_prep prep;
        average_weights alpha;
        float neg_lr, eps, momentum;
        bool centered, momentum_on;
    };

    // Kernel variants (common.hpp): one per slot_mask(); centered and
    // momentum each add a slot.
    static constexpr unsigned grad_avg_slot = 2u, buffer_slot = 4u;
    static constexpr unsigned variants[] = {1u, 1u | grad_avg_slot, 1u | buffer_slot, 1u | grad_avg_slot | buffer_slot};
    static unsigned variant(const coeffs& c) {
        return 1u | (c.centered ? grad_avg_slot : 0u) | (c.momentum_on ? buffer_slot : 0u);
    }

    static coeffs at_step(const edgeopt_config& config, std::uint64_t, double&) {
        const options& o = of(config);
        return {grad_prep::of(o.weight_decay, o.maximize), average_weights::of(o.alpha), to_f32(-o.lr), to_f32(o.eps),
                to_f32(o.momentum), o.centered, o.momentum > 0.0};
    }

    template <unsigned Variant = any_variant, class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        const V d = c.prep(g, p);
        V& square_avg = s[0];
        square_avg = running_average_sq(c.alpha, square_avg, d);
        V avg;
        if (has<Variant>(grad_avg_slot, c.centered)) {
            V& grad_avg = s[1];
            grad_avg = running_average(c.alpha, grad_avg, d);
            avg = sqrt(fma(-grad_avg, grad_avg, square_avg)) + V(c.eps);
        } else {
            avg = sqrt(square_avg) + V(c.eps);
        }
        if (has<Variant>(buffer_slot, c.momentum_on)) {
            V& buf = s[2];
            buf = V(c.momentum) * buf + d / avg;
            p = fma(V(c.neg_lr), buf, p);
        } else {
            p = p + V(c.neg_lr) * d / avg;
        }
    }
};

}  // namespace edgeopt::optim
