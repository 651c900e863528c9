// SPDX-License-Identifier: Apache-2.0
// OneCycleLR (Smith & Topin, fastai's two phases or the paper's three):
// torch 1.13's get_lr(), lr only, every expression in torch's order.
#include "detmath.hpp"
#include "train/schedule_rules.hpp"

namespace edgeopt::train {

unsigned one_cycle_phase_ends(const edgeopt_one_cycle_lr_options& o, double ends[3]) {
    const double total = o.total_steps;
    ends[0] = o.pct_start * total - 1.0;
    if (!o.three_phase) {
        ends[1] = total - 1.0;
        return 2;
    }
    ends[1] = 2.0 * o.pct_start * total - 2.0;
    ends[2] = total - 1.0;
    return 3;
}

double one_cycle_lr(const edgeopt_one_cycle_lr_options& o, std::uint64_t step) {
    const double initial_lr = o.max_lr / o.div_factor;
    const double min_lr = initial_lr / o.final_div_factor;
    const double two_phase_lrs[3] = {initial_lr, o.max_lr, min_lr};
    const double three_phase_lrs[4] = {initial_lr, o.max_lr, initial_lr, min_lr};
    const double* lrs = o.three_phase ? three_phase_lrs : two_phase_lrs;  // phase i: lrs[i] -> lrs[i + 1]
    double ends[3];
    const unsigned phases = one_cycle_phase_ends(o, ends);
    const double step_num = static_cast<double>(step);
    double start_step = 0.0;
    unsigned i = 0;
    while (!(step_num <= ends[i] || i == phases - 1)) start_step = ends[i++];
    const double pct = (step_num - start_step) / (ends[i] - start_step);
    const double from = lrs[i], to = lrs[i + 1];
    if (o.anneal_strategy == EDGEOPT_ANNEAL_LINEAR) return (to - from) * pct + from;
    const double cos_out = detmath::cos(3.141592653589793 * pct) + 1.0;
    return to + (from - to) / 2.0 * cos_out;
}

}  // namespace edgeopt::train
