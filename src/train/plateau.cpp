// SPDX-License-Identifier: Apache-2.0
// ReduceLROnPlateau.step(metrics): torch 1.13's bookkeeping of best,
// num_bad_epochs and cooldown_counter, for one group's lr.
#include <cmath>

#include "train/schedule_rules.hpp"

namespace edgeopt::train {
namespace {

bool is_better(const edgeopt_plateau_options& o, double a, double best) {
    const bool rel = o.threshold_mode == EDGEOPT_THRESHOLD_REL;
    if (o.mode == EDGEOPT_PLATEAU_MIN) return rel ? a < best * (1.0 - o.threshold) : a < best - o.threshold;
    return rel ? a > best * (o.threshold + 1.0) : a > best + o.threshold;
}

}  // namespace

double plateau_mode_worse(const edgeopt_plateau_options& o) {
    return o.mode == EDGEOPT_PLATEAU_MIN ? HUGE_VAL : -HUGE_VAL;
}

void plateau_step(edgeopt_schedule& s, double metric) {
    const edgeopt_plateau_options& o = s.config.plateau;
    s.epoch += 1;
    if (is_better(o, metric, s.best)) {
        s.best = metric;
        s.num_bad_epochs = 0;
    } else {
        s.num_bad_epochs += 1;
    }
    if (s.cooldown_counter > 0) {
        s.cooldown_counter -= 1;
        s.num_bad_epochs = 0;  // bad epochs in cooldown are ignored
    }
    if (s.num_bad_epochs > o.patience) {
        const double old_lr = s.lr;
        const double reduced = old_lr * o.factor;
        const double new_lr = o.min_lr > reduced ? o.min_lr : reduced;  // Python's max(reduced, min_lr)
        if (old_lr - new_lr > o.eps) s.lr = new_lr;
        s.cooldown_counter = o.cooldown;
        s.num_bad_epochs = 0;
    }
}

}  // namespace edgeopt::train
