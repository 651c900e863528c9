// SPDX-License-Identifier: Apache-2.0
// ASGD — torch.optim.ASGD (1.13), averaged SGD (Polyak & Juditsky), the
// single-tensor step (foreach=None, the default).
//
//   g ← −g if maximize;   g ← g + λθ               (λ = weight_decay)
//   θ ← θ(1 − λ_d·ηₜ)                              (λ_d = lambd)
//   θ ← θ − ηₜg
//   ax ← θ if μₜ = 1, else ax + (θ − ax)·μₜ
// with, at step t (1-based),
//   ηₜ = γ / (1 + λ_d·γ·(t−1))^α     rounded to float32
//   μₜ = 1 / max(1, t−1−t₀)          rounded to float32
//
// torch keeps ηₜ and μₜ as per-parameter float32 tensors ('eta', 'mu'),
// computed at the end of the step before; they depend on the step count only,
// so they are formed here, once per step.  One difference: torch forms ηₜ
// with the lr of step t−1, this with the lr of step t, so with a constant lr
// (and for every golden trajectory) the two agree bit for bit, and a
// schedule's lr change acts one step sooner here.  torch's step count is a
// float32 tensor that stops counting at 2^24; ours is exact.
//
// The one state slot is ax, the average torch.optim users read.
#pragma once
#include <algorithm>
#include <cmath>

#include "detmath.hpp"
#include "optim/common.hpp"

namespace edgeopt::optim {

struct asgd : one_variant<1u> {
    using options = edgeopt_asgd_options;
    static const options& of(const edgeopt_config& c) { return c.asgd; }
    static options& of(edgeopt_config& c) { return c.asgd; }
    static constexpr algorithm_name names[] = {{EDGEOPT_ASGD, "asgd", "ASGD"}};
    static options defaults(edgeopt_algorithm) { return {1e-2, 1e-4, 0.75, 1e6, 0.0, false}; }
    static constexpr option_field fields[] = {
        real("lr", offsetof(options, lr)),
        real("lambd", offsetof(options, lambd)),
        real("alpha", offsetof(options, alpha)),
        real("t0", offsetof(options, t0)),
        real("weight_decay", offsetof(options, weight_decay)),
        flag("maximize", offsetof(options, maximize))};
    static const char* slot_name(unsigned slot) { return slot == 0 ? "ax" : nullptr; }
    static unsigned slot_mask(const options&) { return 1u; }
    static float initial_value(const options&, unsigned) { return 0.0f; }

    // torch checks lr and weight_decay; lambd, alpha and t0 are also
    // required finite and >= 0 here (a negative one makes ηₜ grow).
    static edgeopt_status validate(const options& o) {
        if (!non_negative(o.lr)) return EDGEOPT_ERR_INVALID_LR;
        if (!non_negative(o.lambd)) return EDGEOPT_ERR_INVALID_LAMBD;
        if (!non_negative(o.alpha)) return EDGEOPT_ERR_INVALID_ALPHA;
        if (!non_negative(o.t0)) return EDGEOPT_ERR_INVALID_T0;
        if (!non_negative(o.weight_decay)) return EDGEOPT_ERR_INVALID_WEIGHT_DECAY;
        return EDGEOPT_OK;
    }

    struct coeffs {
        grad_prep prep;
        float decay, neg_eta, mu;
        bool averaging;  // μₜ ≠ 1
    };

    // ηₜ and μₜ as torch forms them after step t−1 (`before` = t−1 as a
    // double, converted once): lr / math.pow(1 + lambd * lr * step, alpha) and
    // 1 / max(1, step - t0), in double, then float32 tensors.  pow is detmath's
    // (a few ulp of double, the same on every platform) and exactly 1 for a
    // base of 1 (step 1).  At step 1 both are torch's initial values (lr and 1:
    // t0 >= 0 makes the max 1).
    static float eta_after(const options& o, double before) {
        const double base = 1.0 + o.lambd * o.lr * before;
        return to_f32(o.lr / (base == 1.0 ? 1.0 : detmath::pow(base, o.alpha)));
    }
    static float mu_after(const options& o, double before) { return to_f32(1.0 / std::max(1.0, before - o.t0)); }

    // torch's state_dict holds the η and μ of the next step as 'eta' and
    // 'mu' (C API: edgeopt_state_scalar).
    static constexpr const char* scalar_names[] = {"eta", "mu"};
    static double scalar_value(const options& o, std::uint64_t steps, unsigned k) {
        const double before = static_cast<double>(steps);
        return k == 0 ? eta_after(o, before) : mu_after(o, before);
    }

    static coeffs at_step(const edgeopt_config& config, std::uint64_t t, double&) {
        const options& o = of(config);
        const double before = static_cast<double>(t - 1);
        const double eta = eta_after(o, before);
        const float mu = mu_after(o, before);
        return {grad_prep::of(o.weight_decay, o.maximize), to_f32(1.0 - o.lambd * eta), to_f32(-eta), mu,
                mu != 1.0f};
    }

    template <unsigned = any_variant, class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        const V d = c.prep(g, p);
        p = p * V(c.decay);                 // torch: param.mul_(1 - lambd * eta)
        p = fma(V(c.neg_eta), d, p);        // torch: param.add_(grad, alpha=-eta), fused
        V& ax = s[0];
        ax = c.averaging ? ax + (p - ax) * V(c.mu) : p;  // torch: ax.add_(param.sub(ax).mul(mu))
    }
};

}  // namespace edgeopt::optim
