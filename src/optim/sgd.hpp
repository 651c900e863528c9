// SPDX-License-Identifier: Apache-2.0
// SGD, Momentum and Nesterov — torch.optim.SGD (1.13).
//
//   g ← −g if maximize;   g ← g + λθ
//   if μ ≠ 0:  b ← g at step 1, else b ← μb + (1−τ)g       (τ = dampening)
//              g ← g + μb if nesterov, else g ← b
//   θ ← θ − γg
//
// Textbook Momentum (v ← αv − ηg, θ ← θ + v) is the same trajectory with
// v = −γb when τ = 0 and γ is constant; torch keeps b unscaled by γ, so a
// learning-rate change acts on the next step only. Nesterov here is torch's
// (Sutskever-style) look-ahead form, not the gradient-at-θ+μv form.
#pragma once
#include <cmath>

#include "optim/common.hpp"

namespace edgeopt::optim {

struct sgd {
    using options = edgeopt_sgd_options;
    static const options& of(const edgeopt_config& c) { return c.sgd; }
    static constexpr algorithm_name names[] = {{EDGEOPT_SGD, "sgd", "SGD"}};
    // lr has no default: NaN, which validate() refuses as LR_REQUIRED.
    static options defaults(edgeopt_algorithm) { return {NAN, 0.0, 0.0, 0.0, false, false}; }
    static options& of(edgeopt_config& c) { return c.sgd; }
    static constexpr option_field fields[] = {
        real("lr", offsetof(options, lr)),
        real("momentum", offsetof(options, momentum)),
        real("dampening", offsetof(options, dampening)),
        real("weight_decay", offsetof(options, weight_decay)),
        flag("nesterov", offsetof(options, nesterov)),
        flag("maximize", offsetof(options, maximize))};
    static const char* slot_name(unsigned slot) { return slot == 0 ? "momentum_buffer" : nullptr; }
    static unsigned slot_mask(const options& o) { return o.momentum != 0.0 ? 1u : 0u; }
    static float initial_value(const options&, unsigned) { return 0.0f; }

    static edgeopt_status validate(const options& o) {
        if (std::isnan(o.lr)) return EDGEOPT_ERR_LR_REQUIRED;
        if (!non_negative(o.lr)) return EDGEOPT_ERR_INVALID_LR;
        if (!non_negative(o.momentum)) return EDGEOPT_ERR_INVALID_MOMENTUM;
        if (!std::isfinite(o.dampening)) return EDGEOPT_ERR_INVALID_DAMPENING;
        if (!non_negative(o.weight_decay)) return EDGEOPT_ERR_INVALID_WEIGHT_DECAY;
        if (o.nesterov && (o.momentum <= 0.0 || o.dampening != 0.0)) return EDGEOPT_ERR_NESTEROV_REQUIRES_MOMENTUM;
        return EDGEOPT_OK;
    }

    struct coeffs {
        grad_prep prep;
        average_weights buffer;  // μ and 1 − τ
        float neg_lr;
        bool momentum_on, first_step, nesterov;
    };

    // Kernel variants (common.hpp): plain SGD, momentum, Nesterov momentum.
    // Fixing nesterov leaves maximize, weight decay and first_step to test,
    // three flags GCC can lift out of the loop.
    static constexpr unsigned buffer_slot = 1u, nesterov_flag = 8u;
    static constexpr unsigned variants[] = {0u, buffer_slot, buffer_slot | nesterov_flag};
    static unsigned variant(const coeffs& c) {
        return c.momentum_on ? buffer_slot | (c.nesterov ? nesterov_flag : 0u) : 0u;
    }

    static coeffs at_step(const edgeopt_config& config, std::uint64_t t, double&) {
        const options& o = of(config);
        return {grad_prep::of(o.weight_decay, o.maximize), {to_f32(o.momentum), to_f32(1.0 - o.dampening)},
                to_f32(-o.lr), o.momentum != 0.0, t == 1, o.nesterov};
    }

    template <unsigned Variant = any_variant, class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        V d = c.prep(g, p);
        if (has<Variant>(buffer_slot, c.momentum_on)) {
            V& buf = s[0];
            buf = c.first_step ? d : running_average(c.buffer, buf, d);
            d = has<Variant>(nesterov_flag, c.nesterov) ? fma(V(c.buffer.keep), buf, d) : buf;
        }
        p = fma(V(c.neg_lr), d, p);
    }
};

}  // namespace edgeopt::optim
