// SPDX-License-Identifier: Apache-2.0
// The form of DeepSpeed's CPU Adam kernel (cpu_adam_impl.cpp), the kernel
// most people would pick for Adam on a CPU, written as a plain loop: the
// bias corrections folded into per-step constants, so an element costs one
// square root, one multiply-add for the denominator, one divide and one
// multiply-add for the parameter:
//
//   m ← β₁m + (1−β₁)g            v ← β₂v + (1−β₂)g²
//   θ ← θ + (−γ/(1−β₁ᵗ)) · m / (√v · (1/√(1−β₂ᵗ)) + ε)
//
// AdamW first scales θ by (1 − γλ); Adam adds λθ to g.  Not torch's rounding
// order (torch divides by √(1−β₂ᵗ) and by the denominator separately), so
// its results differ from torch.optim's in the last bits.
//
// Built twice, -O3 -march=native -fno-math-errno plus the vector width
// (EDGEOPT_BENCH_DEEPSPEED_FACTORY names the build): 512-bit vectors and
// 256-bit AVX2, like DeepSpeed's AVX512 and AVX256 builds.  The loop is
// unrolled eight vectors a turn, as DeepSpeed's Step_8 is.
#include <cmath>
#include <cstdint>

#include "peers/peers.hpp"

namespace bench {

namespace {

using std::size_t;

struct folded_adam_coefficients {
    float beta1, one_minus_beta1, beta2, one_minus_beta2, eps;
    float neg_step_size;     // −γ/(1−β₁ᵗ)
    float inv_bc2_sqrt;      // 1/√(1−β₂ᵗ)
    float weight_decay;      // Adam: added to g as λθ
    float decay;             // AdamW: θ ← θ·(1 − γλ)
};

void folded_adam(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v, size_t n,
                 const folded_adam_coefficients c, bool decoupled) {
    if (decoupled) {
#pragma GCC unroll 8
        for (size_t i = 0; i < n; ++i) {
            const float grad = g[i];
            const float param = p[i] * c.decay;
            m[i] = m[i] * c.beta1 + grad * c.one_minus_beta1;
            v[i] = v[i] * c.beta2 + grad * grad * c.one_minus_beta2;
            p[i] = m[i] / (std::sqrt(v[i]) * c.inv_bc2_sqrt + c.eps) * c.neg_step_size + param;
        }
    } else {
#pragma GCC unroll 8
        for (size_t i = 0; i < n; ++i) {
            const float grad = g[i] + p[i] * c.weight_decay;
            m[i] = m[i] * c.beta1 + grad * c.one_minus_beta1;
            v[i] = v[i] * c.beta2 + grad * grad * c.one_minus_beta2;
            p[i] = m[i] / (std::sqrt(v[i]) * c.inv_bc2_sqrt + c.eps) * c.neg_step_size + p[i];
        }
    }
}

struct folded_adam_step final : stepper {
    const edgeopt_config cfg;
    workload& w;
    std::uint64_t t = 0;

    folded_adam_step(const optimizer_case& c, workload& work) : cfg(c.config), w(work) {}

    void step() override {
        ++t;
        const edgeopt_adam_options& o = cfg.adam;
        const bool decoupled = cfg.algorithm == EDGEOPT_ADAMW;
        const double t_ = static_cast<double>(t);
        const folded_adam_coefficients c{
            static_cast<float>(o.beta1),
            static_cast<float>(1 - o.beta1),
            static_cast<float>(o.beta2),
            static_cast<float>(1 - o.beta2),
            static_cast<float>(o.eps),
            static_cast<float>(-o.lr / (1 - std::pow(o.beta1, t_))),
            static_cast<float>(1 / std::sqrt(1 - std::pow(o.beta2, t_))),
            decoupled ? 0.0f : static_cast<float>(o.weight_decay),
            decoupled ? static_cast<float>(1 - o.lr * o.weight_decay) : 1.0f};
        for (size_t i = 0; i < w.count(); ++i)
            folded_adam(w.param(i), w.grad(i), w.state(0, i), w.state(1, i), w.length(i), c, decoupled);
    }
};

}  // namespace

std::unique_ptr<stepper> EDGEOPT_BENCH_DEEPSPEED_FACTORY(const optimizer_case& c, workload& w) {
    const bool adam = c.config.algorithm == EDGEOPT_ADAM || c.config.algorithm == EDGEOPT_ADAMW;
    if (!adam || c.config.adam.amsgrad || c.config.adam.maximize) return nullptr;  // DeepSpeed has neither
    return std::make_unique<folded_adam_step>(c, w);
}

}  // namespace bench
