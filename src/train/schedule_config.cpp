// SPDX-License-Identifier: Apache-2.0
// Schedule configs: torch's defaults and argument checks.  Where torch
// accepts a value that later divides by zero or produces a negative lr, the
// check is stricter and says so in train.h.
#include <cmath>

#include "train/schedule_rules.hpp"

namespace {

using edgeopt::train::finite_non_negative;
using edgeopt::train::raw;

bool unit_interval_closed(double x) { return x >= 0.0 && x <= 1.0; }
bool unit_interval_left_open(double x) { return x > 0.0 && x <= 1.0; }
bool finite_positive(double x) { return x > 0.0 && x <= 1.7976931348623157e308; }

bool valid_one_cycle(const edgeopt_one_cycle_lr_options& o) {
    if (!finite_non_negative(o.max_lr) || o.total_steps < 1 || !unit_interval_closed(o.pct_start)) return false;
    if (raw(o.anneal_strategy) != EDGEOPT_ANNEAL_COS && raw(o.anneal_strategy) != EDGEOPT_ANNEAL_LINEAR) return false;
    if (!finite_positive(o.div_factor) || !finite_positive(o.final_div_factor)) return false;
    // A phase of zero length is a 0/0 in torch (ZeroDivisionError) once reached.
    double ends[3];
    const unsigned phases = edgeopt::train::one_cycle_phase_ends(o, ends);
    double start = 0.0;
    for (unsigned i = 0; i < phases; ++i) {
        if (ends[i] - start == 0.0) return false;
        start = ends[i];
    }
    const double initial_lr = o.max_lr / o.div_factor;
    return finite_non_negative(initial_lr) && finite_non_negative(initial_lr / o.final_div_factor);
}

bool valid(const edgeopt_schedule_config& c) {
    switch (raw(c.kind)) {
        case EDGEOPT_SCHEDULE_STEP: return c.step.step_size >= 1 && finite_non_negative(c.step.gamma);
        case EDGEOPT_SCHEDULE_MULTISTEP:
            return c.multistep.milestone_count <= EDGEOPT_MULTISTEP_MAX && finite_non_negative(c.multistep.gamma);
        case EDGEOPT_SCHEDULE_EXPONENTIAL: return finite_non_negative(c.exponential.gamma);
        case EDGEOPT_SCHEDULE_COSINE: return c.cosine.t_max >= 1 && finite_non_negative(c.cosine.eta_min);
        case EDGEOPT_SCHEDULE_LINEAR:
            return unit_interval_left_open(c.linear.start_factor) && unit_interval_closed(c.linear.end_factor) &&
                   c.linear.total_iters >= 1;
        case EDGEOPT_SCHEDULE_CONSTANT:
            return unit_interval_left_open(c.constant.factor) && c.constant.total_iters >= 1;
        case EDGEOPT_SCHEDULE_ONE_CYCLE: return valid_one_cycle(c.one_cycle);
        case EDGEOPT_SCHEDULE_PLATEAU: {
            const edgeopt_plateau_options& p = c.plateau;
            return (raw(p.mode) == EDGEOPT_PLATEAU_MIN || raw(p.mode) == EDGEOPT_PLATEAU_MAX) && p.factor >= 0.0 &&
                   p.factor < 1.0 && finite_non_negative(p.threshold) &&
                   (raw(p.threshold_mode) == EDGEOPT_THRESHOLD_REL || raw(p.threshold_mode) == EDGEOPT_THRESHOLD_ABS) &&
                   finite_non_negative(p.min_lr) && finite_non_negative(p.eps);
        }
    }
    return false;
}

}  // namespace

extern "C" {

edgeopt_schedule_config edgeopt_schedule_defaults(edgeopt_schedule_kind kind) {
    edgeopt_schedule_config c{};
    const auto value = raw(kind);
    c.kind = static_cast<edgeopt_schedule_kind>(value);
    switch (value) {
        case EDGEOPT_SCHEDULE_STEP: c.step = {0, 0.1}; break;
        case EDGEOPT_SCHEDULE_MULTISTEP: c.multistep.gamma = 0.1; break;
        case EDGEOPT_SCHEDULE_EXPONENTIAL: c.exponential.gamma = NAN; break;
        case EDGEOPT_SCHEDULE_COSINE: c.cosine = {0, 0.0}; break;
        case EDGEOPT_SCHEDULE_LINEAR: c.linear = {1.0 / 3, 1.0, 5}; break;
        case EDGEOPT_SCHEDULE_CONSTANT: c.constant = {1.0 / 3, 5}; break;
        case EDGEOPT_SCHEDULE_ONE_CYCLE: c.one_cycle = {NAN, 0, 0.3, EDGEOPT_ANNEAL_COS, 25.0, 1e4, false}; break;
        case EDGEOPT_SCHEDULE_PLATEAU:
            c.plateau = {EDGEOPT_PLATEAU_MIN, 0.1, 10, 1e-4, EDGEOPT_THRESHOLD_REL, 0, 0.0, 1e-8};
            break;
        default: c.kind = static_cast<edgeopt_schedule_kind>(0); break;
    }
    return c;
}

edgeopt_status edgeopt_schedule_validate(const edgeopt_schedule_config* config) {
    if (!config) return EDGEOPT_ERR_NULL_POINTER;
    return valid(*config) ? EDGEOPT_OK : EDGEOPT_ERR_INVALID_SCHEDULE;
}

}  // extern "C"
