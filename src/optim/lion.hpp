// SPDX-License-Identifier: Apache-2.0
// Lion — Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"
// (not in torch 1.13; as in the lion-pytorch reference implementation).
//
//   θ ← θ(1 − γλ)                        (decoupled decay)
//   θ ← θ − γ·sign(β₁m + (1−β₁)g)         sign(0) = sign(NaN) = 0, as torch.sign
//   m ← β₂m + (1−β₂)g
#pragma once
#include "optim/common.hpp"

namespace edgeopt::optim {

struct lion : one_variant<1u> {
    using options = edgeopt_lion_options;
    static const options& of(const edgeopt_config& c) { return c.lion; }
    static constexpr algorithm_name names[] = {{EDGEOPT_LION, "lion", "Lion"}};
    static options defaults(edgeopt_algorithm) { return {1e-4, 0.9, 0.99, 0.0}; }
    static options& of(edgeopt_config& c) { return c.lion; }
    static constexpr option_field fields[] = {
        real("lr", offsetof(options, lr)),
        beta("beta1", 0, offsetof(options, beta1)),
        beta("beta2", 1, offsetof(options, beta2)),
        real("weight_decay", offsetof(options, weight_decay))};
    static const char* slot_name(unsigned slot) { return slot == 0 ? "exp_avg" : nullptr; }
    static unsigned slot_mask(const options&) { return 1u; }
    static float initial_value(const options&, unsigned) { return 0.0f; }

    static edgeopt_status validate(const options& o) {
        if (!non_negative(o.lr)) return EDGEOPT_ERR_INVALID_LR;
        if (!unit_interval_closed(o.beta1)) return EDGEOPT_ERR_INVALID_BETA1;
        if (!unit_interval_closed(o.beta2)) return EDGEOPT_ERR_INVALID_BETA2;
        if (!non_negative(o.weight_decay)) return EDGEOPT_ERR_INVALID_WEIGHT_DECAY;
        return EDGEOPT_OK;
    }

    struct coeffs {
        average_weights beta1, beta2;
        float decay, neg_lr;
        bool decay_on;
    };

    static coeffs at_step(const edgeopt_config& config, std::uint64_t, double&) {
        const options& o = of(config);
        return {average_weights::of(o.beta1), average_weights::of(o.beta2), to_f32(1.0 - o.lr * o.weight_decay),
                to_f32(-o.lr), o.weight_decay != 0.0};
    }

    template <unsigned = any_variant, class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        V& exp_avg = s[0];
        if (c.decay_on) p = p * V(c.decay);
        p = fma(V(c.neg_lr), sign(running_average(c.beta1, exp_avg, g)), p);
        exp_avg = running_average(c.beta2, exp_avg, g);
    }
};

}  // namespace edgeopt::optim
