// SPDX-License-Identifier: Apache-2.0
// Eigen 3.4 array expressions, written as a user maps torch's formulas onto
// Eigen: one statement per line of the formula, each a vectorised pass.
// Compiled -O3 -march=native -DNDEBUG.
#include <Eigen/Core>
#include <cmath>
#include <cstdint>

#include "peers/peers.hpp"

namespace bench {

namespace {

using array = Eigen::Map<Eigen::ArrayXf, Eigen::Aligned64>;
using const_array = Eigen::Map<const Eigen::ArrayXf, Eigen::Aligned64>;

struct eigen_step final : stepper {
    const edgeopt_config cfg;
    workload& w;
    std::uint64_t t = 0;
    double mu_product = 1;  // NAdam's Π μ

    eigen_step(const optimizer_case& c, workload& work) : cfg(c.config), w(work) {}

    void step() override {
        ++t;
        for (std::size_t i = 0; i < w.count(); ++i) tensor(i);
    }

    void tensor(std::size_t i) {
        const Eigen::Index n = static_cast<Eigen::Index>(w.length(i));
        array p(w.param(i), n);
        const_array g(w.grad(i), n);
        auto slot = [&](unsigned k) { return array(w.state(k, i), w.state(k, i) ? n : 0); };
        const double t_ = static_cast<double>(t);
        switch (cfg.algorithm) {
            case EDGEOPT_SGD: {
                const auto& o = cfg.sgd;
                const float lr = o.lr, momentum = o.momentum, wd = o.weight_decay;
                if (o.momentum == 0.0) {
                    p -= lr * g;
                    return;
                }
                array buf = slot(0);
                if (t == 1)
                    buf = g + wd * p;
                else
                    buf = momentum * buf + float(1 - o.dampening) * (g + wd * p);
                if (o.nesterov)
                    p -= lr * (g + wd * p + momentum * buf);
                else
                    p -= lr * buf;
                return;
            }
            case EDGEOPT_ADAGRAD: {
                const auto& o = cfg.adagrad;
                const float clr = o.lr / (1 + (t_ - 1) * o.lr_decay), eps = o.eps;
                array sum = slot(0);
                sum += g.square();
                p -= clr * g / (sum.sqrt() + eps);
                return;
            }
            case EDGEOPT_RMSPROP: {
                const auto& o = cfg.rmsprop;
                const float lr = o.lr, alpha = o.alpha, eps = o.eps;
                array sq = slot(0);
                sq = alpha * sq + (1 - alpha) * g.square();
                p -= lr * g / (sq.sqrt() + eps);
                return;
            }
            case EDGEOPT_ADADELTA: {
                const auto& o = cfg.adadelta;
                const float lr = o.lr, rho = o.rho, eps = o.eps;
                array sq = slot(0), acc = slot(1);
                sq = rho * sq + (1 - rho) * g.square();
                const Eigen::ArrayXf delta = (acc + eps).sqrt() / (sq + eps).sqrt() * g;
                acc = rho * acc + (1 - rho) * delta.square();
                p -= lr * delta;
                return;
            }
            case EDGEOPT_ADAM:
            case EDGEOPT_ADAMW: {
                const auto& o = cfg.adam;
                const float beta1 = o.beta1, beta2 = o.beta2, eps = o.eps;
                const float step_size = o.lr / (1 - std::pow(o.beta1, t_));
                const float bc2_sqrt = std::sqrt(1 - std::pow(o.beta2, t_));
                array m = slot(0), v = slot(1);
                if (cfg.algorithm == EDGEOPT_ADAMW) p *= float(1 - o.lr * o.weight_decay);
                m = beta1 * m + (1 - beta1) * g;
                v = beta2 * v + (1 - beta2) * g.square();
                if (o.amsgrad) {
                    array vmax = slot(2);
                    vmax = vmax.max(v);
                    p -= step_size * m / (vmax.sqrt() / bc2_sqrt + eps);
                } else {
                    p -= step_size * m / (v.sqrt() / bc2_sqrt + eps);
                }
                return;
            }
            case EDGEOPT_ADAMAX: {
                const auto& o = cfg.adamax;
                const float beta1 = o.beta1, beta2 = o.beta2, eps = o.eps;
                const float clr = o.lr / (1 - std::pow(o.beta1, t_));
                array m = slot(0), u = slot(1);
                m = beta1 * m + (1 - beta1) * g;
                u = (beta2 * u).max(g.abs() + eps);
                p -= clr * m / u;
                return;
            }
            case EDGEOPT_NADAM: {
                const auto& o = cfg.nadam;
                const float beta1 = o.beta1, beta2 = o.beta2, eps = o.eps;
                const double mu = o.beta1 * (1 - 0.5 * std::pow(0.96, t_ * o.momentum_decay));
                const double mu_next = o.beta1 * (1 - 0.5 * std::pow(0.96, (t_ + 1) * o.momentum_decay));
                if (i == 0) mu_product *= mu;  // once per step
                const float bc2_sqrt = std::sqrt(1 - std::pow(o.beta2, t_));
                const float grad_step = o.lr * (1 - mu) / (1 - mu_product);
                const float avg_step = o.lr * mu_next / (1 - mu_product * mu_next);
                array m = slot(0), v = slot(1);
                m = beta1 * m + (1 - beta1) * g;
                v = beta2 * v + (1 - beta2) * g.square();
                const Eigen::ArrayXf denom = v.sqrt() / bc2_sqrt + eps;
                p -= grad_step * g / denom + avg_step * m / denom;
                return;
            }
            case EDGEOPT_RADAM: {
                const auto& o = cfg.radam;
                const float beta1 = o.beta1, beta2 = o.beta2, eps = o.eps, lr = o.lr;
                const double beta2_t = std::pow(o.beta2, t_);
                const double rho_inf = 2 / (1 - o.beta2) - 1;
                const double rho_t = rho_inf - 2 * t_ * beta2_t / (1 - beta2_t);
                const float bc1 = 1 - std::pow(o.beta1, t_);
                array m = slot(0), v = slot(1);
                m = beta1 * m + (1 - beta1) * g;
                v = beta2 * v + (1 - beta2) * g.square();
                if (rho_t > 5) {
                    const float rect = std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                                                 ((rho_inf - 4) * (rho_inf - 2) * rho_t));
                    const float bc2_sqrt = std::sqrt(1 - beta2_t);
                    p -= m / bc1 * lr * (bc2_sqrt / (v.sqrt() + eps)) * rect;
                } else {
                    p -= m / bc1 * lr;
                }
                return;
            }
            case EDGEOPT_LION: {
                const auto& o = cfg.lion;
                const float lr = o.lr, beta1 = o.beta1, beta2 = o.beta2;
                array m = slot(0);
                p *= float(1 - o.lr * o.weight_decay);
                p -= lr * (beta1 * m + (1 - beta1) * g).sign();
                m = beta2 * m + (1 - beta2) * g;
                return;
            }
            case EDGEOPT_RPROP:
            case EDGEOPT_ASGD: return;  // no peer (peers_implement)
        }
    }
};

}  // namespace

std::unique_ptr<stepper> make_eigen(const optimizer_case& c, workload& w) {
    if (!peers_implement(c.config.algorithm)) return nullptr;
    return std::make_unique<eigen_step>(c, w);
}

}  // namespace bench
