// SPDX-License-Identifier: Apache-2.0
// The loops a user would write from torch.optim's documented formulas:
// straight-line C++ for the benchmarked option set, per-step scalars in
// double, compiled -O3 -march=native with GCC's default -ffp-contract=fast.
//
// Built twice: as is (make_plain) and with -fno-math-errno
// (make_plain_no_errno).  With errno semantics GCC keeps std::sqrt scalar
// (sqrtss plus a branch to libm for negative input), so every loop with a
// square root stays unvectorised; -fno-math-errno lets it use vsqrtps.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "peers/peers.hpp"

#ifndef EDGEOPT_BENCH_PLAIN_FACTORY
#define EDGEOPT_BENCH_PLAIN_FACTORY make_plain
#endif

namespace bench {

namespace {

using std::size_t;

struct plain_step final : stepper {
    const edgeopt_config cfg;
    const std::string name;
    workload& w;
    std::uint64_t t = 0;
    double mu_product = 1;  // NAdam's Π μ

    plain_step(const optimizer_case& c, workload& work) : cfg(c.config), name(c.name), w(work) {}

    void step() override {
        ++t;
        for (size_t i = 0; i < w.count(); ++i) tensor(w.param(i), w.grad(i), w.state(0, i), w.state(1, i), w.state(2, i), w.length(i));
    }

    void tensor(float* p, const float* g, float* s0, float* s1, float* s2, size_t n);
};

void sgd(float* p, const float* g, size_t n, float lr) {
    for (size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
}

void sgd_momentum(float* p, const float* g, float* buf, size_t n, float lr, float momentum, float dampening,
                  float wd, bool nesterov, bool first) {
    if (first) {
        for (size_t i = 0; i < n; ++i) {
            float d = g[i] + wd * p[i];
            buf[i] = d;
            p[i] -= lr * (nesterov ? d + momentum * buf[i] : buf[i]);
        }
        return;
    }
    if (nesterov) {
        for (size_t i = 0; i < n; ++i) {
            float d = g[i] + wd * p[i];
            buf[i] = momentum * buf[i] + (1 - dampening) * d;
            d = d + momentum * buf[i];
            p[i] -= lr * d;
        }
    } else {
        for (size_t i = 0; i < n; ++i) {
            float d = g[i] + wd * p[i];
            buf[i] = momentum * buf[i] + (1 - dampening) * d;
            p[i] -= lr * buf[i];
        }
    }
}

void adagrad(float* p, const float* g, float* sum, size_t n, float clr, float eps) {
    for (size_t i = 0; i < n; ++i) {
        sum[i] += g[i] * g[i];
        p[i] -= clr * g[i] / (std::sqrt(sum[i]) + eps);
    }
}

void rmsprop(float* p, const float* g, float* sq, size_t n, float lr, float alpha, float eps) {
    for (size_t i = 0; i < n; ++i) {
        sq[i] = alpha * sq[i] + (1 - alpha) * g[i] * g[i];
        p[i] -= lr * g[i] / (std::sqrt(sq[i]) + eps);
    }
}

void adadelta(float* p, const float* g, float* sq, float* acc, size_t n, float lr, float rho, float eps) {
    for (size_t i = 0; i < n; ++i) {
        sq[i] = rho * sq[i] + (1 - rho) * g[i] * g[i];
        const float delta = std::sqrt(acc[i] + eps) / std::sqrt(sq[i] + eps) * g[i];
        acc[i] = rho * acc[i] + (1 - rho) * delta * delta;
        p[i] -= lr * delta;
    }
}

// Adam, AdamW (decay = 1 − lr·λ, else 1 and skipped) and AMSGrad (vmax non-null).
void adam(float* p, const float* g, float* m, float* v, float* vmax, size_t n, float beta1, float beta2, float eps,
          float step_size, float bc2_sqrt, float decay) {
    if (vmax) {
        for (size_t i = 0; i < n; ++i) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            vmax[i] = std::max(vmax[i], v[i]);
            p[i] -= step_size * m[i] / (std::sqrt(vmax[i]) / bc2_sqrt + eps);
        }
    } else if (decay != 1.0f) {
        for (size_t i = 0; i < n; ++i) {
            p[i] *= decay;
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            p[i] -= step_size * m[i] / (std::sqrt(v[i]) / bc2_sqrt + eps);
        }
    } else {
        for (size_t i = 0; i < n; ++i) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            p[i] -= step_size * m[i] / (std::sqrt(v[i]) / bc2_sqrt + eps);
        }
    }
}

void adamax(float* p, const float* g, float* m, float* u, size_t n, float beta1, float beta2, float eps, float clr) {
    for (size_t i = 0; i < n; ++i) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        u[i] = std::max(beta2 * u[i], std::abs(g[i]) + eps);
        p[i] -= clr * m[i] / u[i];
    }
}

void nadam(float* p, const float* g, float* m, float* v, size_t n, float beta1, float beta2, float eps,
           float bc2_sqrt, float grad_step, float avg_step) {
    for (size_t i = 0; i < n; ++i) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        const float denom = std::sqrt(v[i]) / bc2_sqrt + eps;
        p[i] -= grad_step * g[i] / denom + avg_step * m[i] / denom;
    }
}

void radam(float* p, const float* g, float* m, float* v, size_t n, float beta1, float beta2, float eps, float lr,
           float bc1, float bc2_sqrt, float rect, bool rectified) {
    if (rectified) {
        for (size_t i = 0; i < n; ++i) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            p[i] -= m[i] / bc1 * lr * (bc2_sqrt / (std::sqrt(v[i]) + eps)) * rect;
        }
    } else {
        for (size_t i = 0; i < n; ++i) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            p[i] -= m[i] / bc1 * lr;
        }
    }
}

void lion(float* p, const float* g, float* m, size_t n, float lr, float beta1, float beta2, float decay) {
    for (size_t i = 0; i < n; ++i) {
        p[i] *= decay;
        const float c = beta1 * m[i] + (1 - beta1) * g[i];
        p[i] -= lr * (c > 0 ? 1.0f : (c < 0 ? -1.0f : 0.0f));
        m[i] = beta2 * m[i] + (1 - beta2) * g[i];
    }
}

void plain_step::tensor(float* p, const float* g, float* s0, float* s1, float* s2, size_t n) {
    const double t_ = static_cast<double>(t);
    switch (cfg.algorithm) {
        case EDGEOPT_SGD: {
            const auto& o = cfg.sgd;
            if (o.momentum == 0.0) return sgd(p, g, n, o.lr);
            return sgd_momentum(p, g, s0, n, o.lr, o.momentum, o.dampening, o.weight_decay, o.nesterov, t == 1);
        }
        case EDGEOPT_ADAGRAD: {
            const auto& o = cfg.adagrad;
            return adagrad(p, g, s0, n, o.lr / (1 + (t_ - 1) * o.lr_decay), o.eps);
        }
        case EDGEOPT_RMSPROP: return rmsprop(p, g, s0, n, cfg.rmsprop.lr, cfg.rmsprop.alpha, cfg.rmsprop.eps);
        case EDGEOPT_ADADELTA: return adadelta(p, g, s0, s1, n, cfg.adadelta.lr, cfg.adadelta.rho, cfg.adadelta.eps);
        case EDGEOPT_ADAM:
        case EDGEOPT_ADAMW: {
            const auto& o = cfg.adam;
            const double bc1 = 1 - std::pow(o.beta1, t_), bc2 = 1 - std::pow(o.beta2, t_);
            const float decay = cfg.algorithm == EDGEOPT_ADAMW ? static_cast<float>(1 - o.lr * o.weight_decay) : 1.0f;
            return adam(p, g, s0, s1, o.amsgrad ? s2 : nullptr, n, o.beta1, o.beta2, o.eps, o.lr / bc1,
                        std::sqrt(bc2), decay);
        }
        case EDGEOPT_ADAMAX: {
            const auto& o = cfg.adamax;
            return adamax(p, g, s0, s1, n, o.beta1, o.beta2, o.eps, o.lr / (1 - std::pow(o.beta1, t_)));
        }
        case EDGEOPT_NADAM: {
            const auto& o = cfg.nadam;
            const double mu = o.beta1 * (1 - 0.5 * std::pow(0.96, t_ * o.momentum_decay));
            const double mu_next = o.beta1 * (1 - 0.5 * std::pow(0.96, (t_ + 1) * o.momentum_decay));
            if (p == w.param(0)) mu_product *= mu;  // once per step, as torch keeps it per tensor
            return nadam(p, g, s0, s1, n, o.beta1, o.beta2, o.eps, std::sqrt(1 - std::pow(o.beta2, t_)),
                         o.lr * (1 - mu) / (1 - mu_product), o.lr * mu_next / (1 - mu_product * mu_next));
        }
        case EDGEOPT_RADAM: {
            const auto& o = cfg.radam;
            const double beta2_t = std::pow(o.beta2, t_);
            const double rho_inf = 2 / (1 - o.beta2) - 1;
            const double rho_t = rho_inf - 2 * t_ * beta2_t / (1 - beta2_t);
            const double rect =
                rho_t > 5 ? std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) : 0;
            return radam(p, g, s0, s1, n, o.beta1, o.beta2, o.eps, o.lr, 1 - std::pow(o.beta1, t_),
                         std::sqrt(1 - beta2_t), rect, rho_t > 5);
        }
        case EDGEOPT_LION: {
            const auto& o = cfg.lion;
            return lion(p, g, s0, n, o.lr, o.beta1, o.beta2, 1 - o.lr * o.weight_decay);
        }
        case EDGEOPT_RPROP:
        case EDGEOPT_ASGD: return;  // no peer (peers_implement)
    }
    (void)s2;
}

}  // namespace

std::unique_ptr<stepper> EDGEOPT_BENCH_PLAIN_FACTORY(const optimizer_case& c, workload& w) {
    if (!peers_implement(c.config.algorithm)) return nullptr;
    return std::make_unique<plain_step>(c, w);
}

}  // namespace bench
