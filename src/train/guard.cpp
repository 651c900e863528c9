// SPDX-License-Identifier: Apache-2.0
// The non-finite guard: GradScaler's "skip the step if any grad is inf/nan",
// without the loss scaling.  Every check edgeopt_step() makes runs first, so
// a refused step has touched nothing but the guard's counters.
#include "tensor_checks.hpp"
#include "edgeopt/train.h"

extern "C" {

bool edgeopt_all_finite(const edgeopt_tensor* tensors, size_t count) {
    if (!tensors && count != 0) return false;
    for (size_t i = 0; i < count; ++i)
        if (tensors[i].length != 0 && !tensors[i].grad) return false;
    return edgeopt::train::grads_finite(tensors, count);
}

edgeopt_status edgeopt_step_guarded(edgeopt_optimizer* opt, edgeopt_guard* guard, const edgeopt_tensor* tensors,
                                    size_t count) {
    if (!opt || !guard || !tensors) return EDGEOPT_ERR_NULL_POINTER;
    edgeopt_config config;
    const edgeopt_status ready = edgeopt_get_config(opt, &config);  // NOT_INITIALIZED
    if (ready != EDGEOPT_OK) return ready;
    const edgeopt_status checked = edgeopt::train::check_step_tensors(*opt, tensors, count);
    if (checked != EDGEOPT_OK) return checked;
    if (!edgeopt::train::grads_finite(tensors, count)) {
        guard->steps_skipped += 1;
        guard->consecutive_skipped += 1;
        return EDGEOPT_ERR_NONFINITE_GRADIENT;
    }
    const edgeopt_status stepped = edgeopt_step(opt, tensors, count);
    if (stepped != EDGEOPT_OK) return stepped;
    guard->steps_taken += 1;
    guard->consecutive_skipped = 0;
    return EDGEOPT_OK;
}

}  // extern "C"
