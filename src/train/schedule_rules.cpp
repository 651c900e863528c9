// SPDX-License-Identifier: Apache-2.0
// torch.optim.lr_scheduler's get_lr() for every kind, on one group's lr.
//
// These are torch's recursive ("chainable") forms, each Python expression
// kept in its evaluation order, because that is what get_last_lr() returns:
// e.g. CosineAnnealingLR multiplies the previous lr by a ratio of cosines
// rather than evaluating its closed form, which differs in the last bits.
// Python floats are doubles and `gamma ** k` is a correctly rounded pow; the
// one libm call torch makes, math.cos, is detmath::cos here (correctly
// rounded; glibc's cos is off by one ulp for ~0.1% of arguments, which is
// the only source of difference from torch's numbers).
#include "detmath.hpp"
#include "train/schedule_rules.hpp"

namespace edgeopt::train {
namespace {

constexpr double pi = 3.141592653589793;  // math.pi

unsigned milestone_hits(const edgeopt_multistep_lr_options& o, std::uint64_t epoch) {
    unsigned hits = 0;
    for (std::uint32_t i = 0; i < o.milestone_count; ++i) hits += o.milestones[i] == epoch;
    return hits;
}

// CosineAnnealingLR's closed form (SequentialLR's step(0) uses it).
double cosine_closed_form(const edgeopt_cosine_lr_options& o, double base_lr, std::uint64_t epoch) {
    const double t_max = o.t_max;
    return o.eta_min + (base_lr - o.eta_min) * (1.0 + detmath::cos(pi * static_cast<double>(epoch) / t_max)) / 2.0;
}

double cosine_next(const edgeopt_cosine_lr_options& o, double base_lr, double lr, std::uint64_t epoch) {
    const std::uint64_t t_max = o.t_max;
    // torch: (last_epoch − 1 − T_max) % (2·T_max) == 0, Python's modulo of a possibly negative number.
    if (epoch - 1 >= t_max && (epoch - 1 - t_max) % (2 * t_max) == 0)
        return lr + (base_lr - o.eta_min) * (1.0 - detmath::cos(pi / static_cast<double>(t_max))) / 2.0;
    const double now = pi * static_cast<double>(epoch) / static_cast<double>(t_max);
    const double before = pi * static_cast<double>(epoch - 1) / static_cast<double>(t_max);
    return (1.0 + detmath::cos(now)) / (1.0 + detmath::cos(before)) * (lr - o.eta_min) + o.eta_min;
}

double linear_next(const edgeopt_linear_lr_options& o, double lr, std::uint64_t epoch) {
    if (epoch > o.total_iters) return lr;
    const double slope = o.end_factor - o.start_factor;
    return lr * (1.0 + slope / (static_cast<double>(o.total_iters) * o.start_factor +
                                static_cast<double>(epoch - 1) * slope));
}

}  // namespace

void start(edgeopt_schedule& s, edgeopt_schedule_config config, double base_lr, bool closed_form) {
    s = edgeopt_schedule{};
    s.magic = schedule_magic;
    s.config = config;
    s.base_lr = base_lr;
    s.epoch = 0;
    double lr = base_lr;
    switch (config.kind) {
        case EDGEOPT_SCHEDULE_STEP:
        case EDGEOPT_SCHEDULE_EXPONENTIAL: break;  // closed form: base·γ^0 = base
        case EDGEOPT_SCHEDULE_MULTISTEP:
            if (const unsigned hits = milestone_hits(config.multistep, 0))
                lr = base_lr * detmath::powi_rounded(config.multistep.gamma, hits);
            break;
        case EDGEOPT_SCHEDULE_COSINE:
            if (closed_form) lr = cosine_closed_form(config.cosine, base_lr, 0);
            break;
        // Both forms give base·start_factor (the closed form adds a zero).
        case EDGEOPT_SCHEDULE_LINEAR: lr = base_lr * config.linear.start_factor; break;
        case EDGEOPT_SCHEDULE_CONSTANT: lr = base_lr * config.constant.factor; break;
        case EDGEOPT_SCHEDULE_ONE_CYCLE:
            // torch overwrites initial_lr with max_lr / div_factor.
            s.base_lr = config.one_cycle.max_lr / config.one_cycle.div_factor;
            lr = one_cycle_lr(config.one_cycle, 0);
            break;
        case EDGEOPT_SCHEDULE_PLATEAU: s.best = plateau_mode_worse(config.plateau); break;
    }
    s.lr = lr;
}

bool advance(edgeopt_schedule& s, double metric) {
    if (s.epoch == UINT64_MAX) return false;
    const std::uint64_t epoch = s.epoch + 1;
    const edgeopt_schedule_config& c = s.config;
    double lr = s.lr;
    switch (c.kind) {
        case EDGEOPT_SCHEDULE_STEP:
            if (epoch % c.step.step_size == 0) lr = lr * c.step.gamma;
            break;
        case EDGEOPT_SCHEDULE_MULTISTEP:
            if (const unsigned hits = milestone_hits(c.multistep, epoch))
                lr = lr * detmath::powi_rounded(c.multistep.gamma, hits);
            break;
        case EDGEOPT_SCHEDULE_EXPONENTIAL: lr = lr * c.exponential.gamma; break;
        case EDGEOPT_SCHEDULE_COSINE: lr = cosine_next(c.cosine, s.base_lr, lr, epoch); break;
        case EDGEOPT_SCHEDULE_LINEAR: lr = linear_next(c.linear, lr, epoch); break;
        case EDGEOPT_SCHEDULE_CONSTANT:
            if (epoch == c.constant.total_iters) lr = lr * (1.0 / c.constant.factor);
            break;
        case EDGEOPT_SCHEDULE_ONE_CYCLE:
            if (epoch > c.one_cycle.total_steps) return false;  // torch: "Tried to step ... times"
            lr = one_cycle_lr(c.one_cycle, epoch);
            break;
        case EDGEOPT_SCHEDULE_PLATEAU:
            plateau_step(s, metric);  // sets lr and epoch itself
            return true;
    }
    s.lr = lr;
    s.epoch = epoch;
    return true;
}

}  // namespace edgeopt::train
