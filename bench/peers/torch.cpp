// SPDX-License-Identifier: Apache-2.0
// libtorch's CPU optimizers on one thread, over tensors that view the
// workload's parameters and gradients (torch::from_blob, no copy).
// torch::optim has SGD, Adagrad, RMSprop, Adam and AdamW in C++; the others
// are torch.optim 1.13's single-tensor Python step (lion: lion-pytorch's)
// replayed with the same in-place ATen calls, i.e. torch minus the
// interpreter.  Built only when CMake finds libtorch (else torch_missing.cpp).
#include <torch/optim.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "peers/peers.hpp"

namespace bench {

namespace {

std::vector<torch::Tensor> view_params(workload& w) {
    std::vector<torch::Tensor> params;
    for (std::size_t i = 0; i < w.count(); ++i) {
        const auto n = static_cast<std::int64_t>(w.length(i));
        torch::Tensor p = torch::from_blob(w.param(i), {n}, torch::kFloat32);
        p.mutable_grad() = torch::from_blob(w.grad(i), {n}, torch::kFloat32);
        params.push_back(p);
    }
    return params;
}

struct torch_optim_step final : stepper {
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    void step() override {
        torch::NoGradGuard no_grad;
        optimizer->step();
    }
};

// torch.optim 1.13 _single_tensor_<name>, op for op.
struct aten_step final : stepper {
    const edgeopt_config cfg;
    std::vector<torch::Tensor> params, grads;
    std::vector<std::vector<torch::Tensor>> state;
    double t = 0, mu_product = 1;

    aten_step(const edgeopt_config& c, workload& w) : cfg(c), params(view_params(w)) {
        for (auto& p : params) {
            grads.push_back(p.grad());
            state.push_back({torch::zeros_like(p), torch::zeros_like(p)});
        }
    }

    void step() override {
        torch::NoGradGuard no_grad;
        t += 1;
        for (std::size_t i = 0; i < params.size(); ++i) tensor(params[i], grads[i], state[i][0], state[i][1]);
    }

    void tensor(torch::Tensor& param, const torch::Tensor& grad, torch::Tensor& s0, torch::Tensor& s1) {
        switch (cfg.algorithm) {
            case EDGEOPT_ADADELTA: {
                const auto& o = cfg.adadelta;
                s0.mul_(o.rho).addcmul_(grad, grad, 1 - o.rho);
                auto std = s0.add(o.eps).sqrt_();
                auto delta = s1.add(o.eps).sqrt_().div_(std).mul_(grad);
                s1.mul_(o.rho).addcmul_(delta, delta, 1 - o.rho);
                param.add_(delta, -o.lr);
                return;
            }
            case EDGEOPT_ADAMAX: {
                const auto& o = cfg.adamax;
                s0.mul_(o.beta1).add_(grad, 1 - o.beta1);
                auto norm_buf = torch::cat({s1.mul_(o.beta2).unsqueeze(0), grad.abs().add_(o.eps).unsqueeze_(0)}, 0);
                s1.copy_(torch::amax(norm_buf, 0, false));
                const double clr = o.lr / (1 - std::pow(o.beta1, t));
                param.addcdiv_(s0, s1, -clr);
                return;
            }
            case EDGEOPT_NADAM: {
                const auto& o = cfg.nadam;
                const double bias_correction2 = 1 - std::pow(o.beta2, t);
                const double mu = o.beta1 * (1 - 0.5 * std::pow(0.96, t * o.momentum_decay));
                const double mu_next = o.beta1 * (1 - 0.5 * std::pow(0.96, (t + 1) * o.momentum_decay));
                if (&param == &params.front()) mu_product *= mu;
                s0.mul_(o.beta1).add_(grad, 1 - o.beta1);
                s1.mul_(o.beta2).addcmul_(grad, grad, 1 - o.beta2);
                auto denom = s1.div(bias_correction2).sqrt().add_(o.eps);
                param.addcdiv_(grad, denom, -o.lr * (1 - mu) / (1 - mu_product));
                param.addcdiv_(s0, denom, -o.lr * mu_next / (1 - mu_product * mu_next));
                return;
            }
            case EDGEOPT_RADAM: {
                const auto& o = cfg.radam;
                s0.mul_(o.beta1).add_(grad, 1 - o.beta1);
                s1.mul_(o.beta2).addcmul_(grad, grad, 1 - o.beta2);
                const double bias_correction1 = 1 - std::pow(o.beta1, t);
                const double bias_correction2 = 1 - std::pow(o.beta2, t);
                auto bias_corrected_exp_avg = s0 / bias_correction1;
                const double rho_inf = 2 / (1 - o.beta2) - 1;
                const double rho_t = rho_inf - 2 * t * std::pow(o.beta2, t) / bias_correction2;
                if (rho_t > 5) {
                    const double rect = std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                                                  ((rho_inf - 4) * (rho_inf - 2) * rho_t));
                    auto exp_avg_sq_sqrt = s1.sqrt().add_(o.eps);
                    auto adaptive_lr = std::sqrt(bias_correction2) / exp_avg_sq_sqrt;
                    param.add_(bias_corrected_exp_avg * o.lr * adaptive_lr * rect, -1.0);
                } else {
                    param.add_(bias_corrected_exp_avg * o.lr, -1.0);
                }
                return;
            }
            case EDGEOPT_LION: {
                const auto& o = cfg.lion;
                param.mul_(1 - o.lr * o.weight_decay);
                auto update = s0.clone().mul_(o.beta1).add(grad, 1 - o.beta1).sign_();
                param.add_(update, -o.lr);
                s0.mul_(o.beta2).add_(grad, 1 - o.beta2);
                return;
            }
            default: return;
        }
    }
};

}  // namespace

bool torch_available() { return true; }

std::unique_ptr<stepper> make_torch(const optimizer_case& c, workload& w) {
    static const bool one_thread = (torch::set_num_threads(1), true);
    (void)one_thread;
    namespace optim = torch::optim;
    const edgeopt_config& cfg = c.config;
    auto wrap = [](optim::Optimizer* o) {
        auto s = std::make_unique<torch_optim_step>();
        s->optimizer.reset(o);
        return s;
    };
    switch (cfg.algorithm) {
        case EDGEOPT_SGD: {
            const auto& o = cfg.sgd;
            return wrap(new optim::SGD(view_params(w), optim::SGDOptions(o.lr)
                                                           .momentum(o.momentum)
                                                           .dampening(o.dampening)
                                                           .weight_decay(o.weight_decay)
                                                           .nesterov(o.nesterov)));
        }
        case EDGEOPT_ADAGRAD: {
            const auto& o = cfg.adagrad;
            return wrap(new optim::Adagrad(view_params(w), optim::AdagradOptions(o.lr)
                                                               .lr_decay(o.lr_decay)
                                                               .weight_decay(o.weight_decay)
                                                               .initial_accumulator_value(o.initial_accumulator_value)
                                                               .eps(o.eps)));
        }
        case EDGEOPT_RMSPROP: {
            const auto& o = cfg.rmsprop;
            return wrap(new optim::RMSprop(view_params(w), optim::RMSpropOptions(o.lr)
                                                               .alpha(o.alpha)
                                                               .eps(o.eps)
                                                               .weight_decay(o.weight_decay)
                                                               .momentum(o.momentum)
                                                               .centered(o.centered)));
        }
        case EDGEOPT_ADAM: {
            const auto& o = cfg.adam;
            return wrap(new optim::Adam(view_params(w), optim::AdamOptions(o.lr)
                                                            .betas({o.beta1, o.beta2})
                                                            .eps(o.eps)
                                                            .weight_decay(o.weight_decay)
                                                            .amsgrad(o.amsgrad)));
        }
        case EDGEOPT_ADAMW: {
            const auto& o = cfg.adam;
            return wrap(new optim::AdamW(view_params(w), optim::AdamWOptions(o.lr)
                                                             .betas({o.beta1, o.beta2})
                                                             .eps(o.eps)
                                                             .weight_decay(o.weight_decay)
                                                             .amsgrad(o.amsgrad)));
        }
        default: return peers_implement(cfg.algorithm) ? std::make_unique<aten_step>(cfg, w) : nullptr;
    }
}

}  // namespace bench
