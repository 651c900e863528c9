// SPDX-License-Identifier: Apache-2.0
// Adam and AdamW — torch.optim.Adam, torch.optim.AdamW (1.13).
//
//   g ← −g if maximize
//   Adam:  g ← g + λθ            AdamW:  θ ← θ(1 − γλ)   (decoupled decay)
//   m ← β₁m + (1−β₁)g
//   v ← β₂v + (1−β₂)g²
//   amsgrad:  v̂ ← max(v̂, v) and v̂ replaces v below
//   θ ← θ − γ/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε)
//
// This is Kingma & Ba's Algorithm 1, θ ← θ − γ m̂/(√v̂ + ε), with ε outside the
// bias-corrected root.  The paper's "efficient" variant, γ√(1−β₂ᵗ)/(1−β₁ᵗ) ·
// m/(√v + ε̂), puts ε inside the bias correction; torch does not, nor do we
// by default.
//
// Folded form (EDGEOPT_FORM_FOLDED, opt-in): the efficient variant with
// ε̂ = ε√(1−β₂ᵗ), which is the same step in exact arithmetic:
//   θ ← θ + s · m/(√v + ε̂),   s = −γ√(1−β₂ᵗ)/(1−β₁ᵗ)
// s and ε̂ are formed in double and rounded once; per element one sqrt, one
// add, one divide and one fma, where torch's order needs two divides.
#pragma once
#include <cmath>

#include "detmath.hpp"
#include "optim/common.hpp"

namespace edgeopt::optim {

struct adam {
    using options = edgeopt_adam_options;
    static const options& of(const edgeopt_config& c) { return c.adam; }
    static constexpr algorithm_name names[] = {{EDGEOPT_ADAM, "adam", "Adam"}, {EDGEOPT_ADAMW, "adamw", "AdamW"}};
    static options defaults(edgeopt_algorithm a) { return {1e-3, 0.9, 0.999, 1e-8, a == EDGEOPT_ADAMW ? 1e-2 : 0.0, false, false}; }
    static options& of(edgeopt_config& c) { return c.adam; }
    static constexpr option_field fields[] = {
        real("lr", offsetof(options, lr)),
        beta("beta1", 0, offsetof(options, beta1)),
        beta("beta2", 1, offsetof(options, beta2)),
        real("eps", offsetof(options, eps)),
        real("weight_decay", offsetof(options, weight_decay)),
        flag("amsgrad", offsetof(options, amsgrad)),
        flag("maximize", offsetof(options, maximize))};
    static const char* slot_name(unsigned slot) {
        static const char* const names[] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
        return slot < 3 ? names[slot] : nullptr;
    }
    static unsigned slot_mask(const options& o) { return o.amsgrad ? 7u : 3u; }
    static constexpr bool has_folded_form = true;
    static float initial_value(const options&, unsigned) { return 0.0f; }

    static edgeopt_status validate(const options& o) {
        return validate_adam_like(o.lr, o.eps, o.beta1, o.beta2, o.weight_decay);
    }

    struct coeffs {
        grad_prep prep;  // carries λ for Adam; AdamW decays θ instead
        average_weights beta1, beta2;
        // Folded form: eps is ε̂ and neg_step_size is s (bias_correction2_sqrt unused).
        float decay, bias_correction2_sqrt, eps, neg_step_size;
        bool decoupled, amsgrad, folded;
    };

    // Kernel variants (common.hpp): one per slot_mask() (AMSGrad adds a
    // slot), each in both forms.  decoupled stays a run-time flag (with
    // maximize and weight decay, three).
    static constexpr unsigned max_slot = 4u;
    static constexpr unsigned variants[] = {3u, 3u | max_slot, 3u | folded_variant, 3u | max_slot | folded_variant};
    static unsigned variant(const coeffs& c) {
        return 3u | (c.amsgrad ? max_slot : 0u) | (c.folded ? folded_variant : 0u);
    }

    static coeffs at_step(const edgeopt_config& config, std::uint64_t t, double&) {
        const options& o = of(config);
        const bool decoupled = config.algorithm == EDGEOPT_ADAMW;
        const double bias_correction1 = 1.0 - detmath::powi(o.beta1, t);
        const double bias_correction2 = 1.0 - detmath::powi(o.beta2, t);
        const double root2 = std::sqrt(bias_correction2);
        const bool fold = folded(config);
        return {grad_prep::of(decoupled ? 0.0 : o.weight_decay, o.maximize),
                average_weights::of(o.beta1),
                average_weights::of(o.beta2),
                to_f32(1.0 - o.lr * o.weight_decay),
                to_f32(root2),
                to_f32(fold ? o.eps * root2 : o.eps),
                to_f32(fold ? -(o.lr * root2 / bias_correction1) : -(o.lr / bias_correction1)),
                decoupled,
                o.amsgrad,
                fold};
    }

    template <unsigned Variant = any_variant, class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        if (c.decoupled) p = p * V(c.decay);
        const V d = c.prep(g, p);
        V& exp_avg = s[0];
        V& exp_avg_sq = s[1];
        exp_avg = running_average(c.beta1, exp_avg, d);
        exp_avg_sq = running_average_sq(c.beta2, exp_avg_sq, d);
        V second = exp_avg_sq;
        if (has<Variant>(max_slot, c.amsgrad)) second = s[2] = maximum(s[2], exp_avg_sq);
        if (has<Variant>(folded_variant, c.folded)) {
            p = fma(V(c.neg_step_size), exp_avg / (sqrt(second) + V(c.eps)), p);
            return;
        }
        const V denom = sqrt(second) / V(c.bias_correction2_sqrt) + V(c.eps);
        p = p + V(c.neg_step_size) * exp_avg / denom;
    }
};

}  // namespace edgeopt::optim
