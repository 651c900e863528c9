// SPDX-License-Identifier: Apache-2.0
// Rprop — torch.optim.Rprop (1.13), the single-tensor step (foreach=None,
// the default; the foreach step does the same operations in the same order).
//
//   g ← −g if maximize
//   s ← sign(g · prev)                                     (float32 product)
//   η ← η·η₊ where s > 0,  η·η₋ where s < 0,  η where s = 0
//   η ← min(max(η, η_min), η_max)                          (torch's clamp)
//   g ← 0 where s < 0
//   θ ← θ − sign(g)·η
//   prev ← g
//
// State, in torch's order: prev (starts at 0) and step_size (η, starts at
// lr rounded to float32; lr is read only then, as torch fills step_size
// once).  torch 1.13 rounds η₊, η₋ and the clamp bounds to float32 (the
// factor tensor and clamp's scalars are float32), as at_step() does.
//
// The kernels have no select: the factor and the zeroing are formed from
// s ∈ {−1, 0, 1} with exact operations only (products with 0 or 1, sums with
// one nonzero term, maximum/minimum), so every ISA gives the same bits.
#pragma once
#include <cmath>

#include "optim/common.hpp"

namespace edgeopt::optim {

struct rprop {
    using options = edgeopt_rprop_options;
    static const options& of(const edgeopt_config& c) { return c.rprop; }
    static options& of(edgeopt_config& c) { return c.rprop; }
    static constexpr algorithm_name names[] = {{EDGEOPT_RPROP, "rprop", "Rprop"}};
    static options defaults(edgeopt_algorithm) { return {1e-2, 0.5, 1.2, 1e-6, 50.0, false}; }
    static constexpr option_field fields[] = {
        real("lr", offsetof(options, lr)),
        {"etaminus", "etas", 0, EDGEOPT_OPTION_REAL, offsetof(options, etaminus)},
        {"etaplus", "etas", 1, EDGEOPT_OPTION_REAL, offsetof(options, etaplus)},
        {"step_size_min", "step_sizes", 0, EDGEOPT_OPTION_REAL, offsetof(options, step_size_min)},
        {"step_size_max", "step_sizes", 1, EDGEOPT_OPTION_REAL, offsetof(options, step_size_max)},
        flag("maximize", offsetof(options, maximize))};
    static const char* slot_name(unsigned slot) {
        static const char* const names[] = {"prev", "step_size"};
        return slot < 2 ? names[slot] : nullptr;
    }
    static unsigned slot_mask(const options&) { return 3u; }
    static float initial_value(const options& o, unsigned slot) { return slot == 1 ? to_f32(o.lr) : 0.0f; }

    // torch checks lr and 0 < η₋ < 1 < η₊.  The checks here are on the
    // float32 values the step uses: a η₋ that rounds to 0 or 1 would make
    // torch's sign table ambiguous.  torch does not check step_sizes; a
    // negative, NaN or infinite bound is refused here.
    static edgeopt_status validate(const options& o) {
        if (!non_negative(o.lr)) return EDGEOPT_ERR_INVALID_LR;
        const float minus = to_f32(o.etaminus), plus = to_f32(o.etaplus);
        if (!(minus > 0.0f && minus < 1.0f && plus > 1.0f && std::isfinite(plus))) return EDGEOPT_ERR_INVALID_ETAS;
        if (!non_negative(o.step_size_min) || !std::isfinite(to_f32(o.step_size_min)) ||
            !non_negative(o.step_size_max) || !std::isfinite(to_f32(o.step_size_max)))
            return EDGEOPT_ERR_INVALID_STEP_SIZES;
        return EDGEOPT_OK;
    }

    struct coeffs {
        float etaminus, etaplus, step_size_min, step_size_max;
        bool maximize;
    };

    // Kernel variants (common.hpp): maximize is fixed at compile time.  The
    // loop is far over GCC's size limit for unswitching, so as a run-time
    // flag it was a test and branch in every vector (objdump, AVX2 and AVX-512).
    static constexpr unsigned maximize_flag = 8u;
    static constexpr unsigned variants[] = {3u, 3u | maximize_flag};
    static unsigned variant(const coeffs& c) { return c.maximize ? 3u | maximize_flag : 3u; }

    static coeffs at_step(const edgeopt_config& config, std::uint64_t, double&) {
        const options& o = of(config);
        return {to_f32(o.etaminus), to_f32(o.etaplus), to_f32(o.step_size_min), to_f32(o.step_size_max),
                o.maximize};
    }

    // b < a ? b : a, NaN if either is: std::min(a, b), torch's clamp upper bound.
    template <class V>
    static V minimum(V a, V b) {
        return -maximum(-b, -a);
    }

    template <unsigned Variant = any_variant, class V>
    static void update(const coeffs& c, V& p, V g, V (&s)[3]) {
        V& prev = s[0];
        V& step_size = s[1];
        if (has<Variant>(maximize_flag, c.maximize)) g = -g;
        const V zero(0.0f), one(1.0f);
        const V same = sign(g * prev);  // torch: grad.mul(prev).sign(); NaN gives 0
        const V grew = maximum(same, zero), flipped = maximum(-same, zero);  // each 0 or 1
        // η₊, η₋ or 1: one term is nonzero, so the sum is exact.
        const V factor = fma(grew, V(c.etaplus), fma(flipped, V(c.etaminus), one - grew - flipped));
        // torch's clamp: std::min(std::max(x, lo), hi).
        step_size = minimum(maximum(V(c.step_size_min), step_size * factor), V(c.step_size_max));
        // g ← 0 where flipped, without g·0 (NaN for an infinite g): clamp g
        // into [−∞, +∞] where kept and into [+0, −∞] (that is, to +0) where flipped.
        const V bound = (one - flipped - flipped) * V(INFINITY);
        g = maximum(minimum(g, bound), minimum(-bound, zero));
        p = fma(-sign(g), step_size, p);  // torch: p.addcmul_(g.sign(), step_size, value=-1)
        prev = g;
    }
};

}  // namespace edgeopt::optim
