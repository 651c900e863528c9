// SPDX-License-Identifier: Apache-2.0
// One scheduler driving one parameter group: the C API over start() and
// advance().  Steps run on a copy that is committed only on success.
#include <cmath>

#include "train/schedule_rules.hpp"

namespace {

bool initialized(const edgeopt_schedule* s) { return s && s->magic == edgeopt::train::schedule_magic; }

}  // namespace

extern "C" {

edgeopt_status edgeopt_schedule_init(edgeopt_schedule* schedule, const edgeopt_schedule_config* config,
                                     double base_lr) {
    if (!schedule || !config) return EDGEOPT_ERR_NULL_POINTER;
    const edgeopt_status valid = edgeopt_schedule_validate(config);
    if (valid != EDGEOPT_OK) return valid;
    if (!edgeopt::train::finite_non_negative(base_lr)) return EDGEOPT_ERR_INVALID_LR;
    edgeopt_schedule fresh;
    edgeopt::train::start(fresh, *config, base_lr, false);
    *schedule = fresh;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_schedule_step(edgeopt_schedule* schedule, double metric, double* lr) {
    if (!schedule) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(schedule)) return EDGEOPT_ERR_NOT_INITIALIZED;
    edgeopt_schedule next = *schedule;
    if (!edgeopt::train::advance(next, metric)) return EDGEOPT_ERR_INVALID_SCHEDULE;
    *schedule = next;
    if (lr) *lr = next.lr;
    return EDGEOPT_OK;
}

double edgeopt_schedule_lr(const edgeopt_schedule* schedule) { return initialized(schedule) ? schedule->lr : NAN; }

uint64_t edgeopt_schedule_epoch(const edgeopt_schedule* schedule) {
    return initialized(schedule) ? schedule->epoch : 0;
}

edgeopt_status edgeopt_schedule_apply(const edgeopt_schedule* schedule, edgeopt_optimizer* opt) {
    if (!schedule || !opt) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(schedule)) return EDGEOPT_ERR_NOT_INITIALIZED;
    return edgeopt_set_lr(opt, schedule->lr);
}

}  // extern "C"
