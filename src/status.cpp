// SPDX-License-Identifier: Apache-2.0
// Messages for edgeopt_status.  -DEDGEOPT_NO_MESSAGES drops the strings
// (about 1 KB of .rodata) from firmware builds.
#include "edgeopt/edgeopt.h"
#include "enum_value.hpp"

extern "C" const char* edgeopt_status_message(edgeopt_status status) {
#ifdef EDGEOPT_NO_MESSAGES
    (void)status;
    return "";
#else
    switch (edgeopt::enum_value(status)) {  // any int a C caller passes
        case EDGEOPT_OK: return "ok";
        case EDGEOPT_ERR_NULL_POINTER: return "a required pointer is null";
        case EDGEOPT_ERR_UNKNOWN_ALGORITHM: return "unknown optimizer algorithm";
        case EDGEOPT_ERR_LR_REQUIRED: return "sgd needs a learning rate (lr has no default)";
        case EDGEOPT_ERR_INVALID_LR: return "invalid learning rate: must be finite and >= 0";
        case EDGEOPT_ERR_INVALID_MOMENTUM: return "invalid momentum: must be finite and >= 0";
        case EDGEOPT_ERR_INVALID_DAMPENING: return "invalid dampening: must be finite";
        case EDGEOPT_ERR_NESTEROV_REQUIRES_MOMENTUM: return "nesterov momentum requires momentum > 0 and zero dampening";
        case EDGEOPT_ERR_INVALID_WEIGHT_DECAY: return "invalid weight_decay: must be finite and >= 0";
        case EDGEOPT_ERR_INVALID_LR_DECAY: return "invalid lr_decay: must be finite and >= 0";
        case EDGEOPT_ERR_INVALID_INITIAL_ACCUMULATOR: return "invalid initial_accumulator_value: must be finite and >= 0";
        case EDGEOPT_ERR_INVALID_EPS: return "invalid eps: must be finite and >= 0";
        case EDGEOPT_ERR_INVALID_ALPHA: return "invalid alpha: must be finite and >= 0";
        case EDGEOPT_ERR_INVALID_RHO: return "invalid rho: must be in [0, 1]";
        case EDGEOPT_ERR_INVALID_BETA1: return "invalid beta1: must be in [0, 1) ([0, 1] for lion)";
        case EDGEOPT_ERR_INVALID_BETA2: return "invalid beta2: must be in [0, 1) ([0, 1] for lion)";
        case EDGEOPT_ERR_INVALID_MOMENTUM_DECAY: return "invalid momentum_decay: must be finite and >= 0";
        case EDGEOPT_ERR_NO_TENSORS: return "at least one tensor is needed";
        case EDGEOPT_ERR_ARENA_TOO_SMALL: return "arena too small: see edgeopt_state_bytes()";
        case EDGEOPT_ERR_TENSOR_COUNT_MISMATCH: return "tensor count differs from init()";
        case EDGEOPT_ERR_LENGTH_MISMATCH: return "tensor length differs from init()";
        case EDGEOPT_ERR_OVERLAP: return "param, grad and the arena overlap";
        case EDGEOPT_ERR_NOT_INITIALIZED: return "optimizer not initialized";
        case EDGEOPT_ERR_LAYOUT_CHANGE: return "new options need other state buffers: init() again";
        case EDGEOPT_ERR_UNKNOWN_ISA: return "unknown instruction set name";
        case EDGEOPT_ERR_ISA_UNAVAILABLE: return "instruction set not compiled in or not supported by this CPU";
        case EDGEOPT_ERR_NONFINITE_GRADIENT: return "a gradient contains NaN or Inf: step skipped, nothing modified";
        case EDGEOPT_ERR_INVALID_SCHEDULE: return "invalid learning-rate schedule parameters";
        case EDGEOPT_ERR_INVALID_CLIP: return "invalid gradient clipping parameters";
        case EDGEOPT_ERR_BUFFER_TOO_SMALL: return "buffer too small for the checkpoint";
        case EDGEOPT_ERR_CHECKPOINT_EMPTY: return "no committed checkpoint in either slot";
        case EDGEOPT_ERR_CHECKPOINT_CORRUPT: return "checkpoint corrupt (magic or CRC mismatch)";
        case EDGEOPT_ERR_CHECKPOINT_TRUNCATED: return "checkpoint truncated";
        case EDGEOPT_ERR_CHECKPOINT_VERSION: return "checkpoint written by a newer format version";
        case EDGEOPT_ERR_CHECKPOINT_MISMATCH: return "checkpoint is for another optimizer, options or tensor sizes";
        case EDGEOPT_ERR_INVALID_DTYPE: return "invalid dtype (q8 is for optimizer state only)";
        case EDGEOPT_ERR_INVALID_ROUNDING: return "invalid rounding: stochastic rounding is for bf16 parameters";
        case EDGEOPT_ERR_DTYPE_UNSUPPORTED: return "this call supports float32 tensors only";
        case EDGEOPT_ERR_NO_SUCH_STATE: return "no such tensor, or the state slot is unused";
        case EDGEOPT_ERR_INVALID_STEP: return "invalid step count or NAdam mu product";
        case EDGEOPT_ERR_RANGE_OUTSIDE: return "element range outside the step's tensors";
        case EDGEOPT_ERR_RANGE_SPLITS_BLOCK: return "element range starts or ends inside a q8 state block";
        case EDGEOPT_ERR_STEP_NOT_BEGUN: return "step plan not begun, or already ended";
        case EDGEOPT_ERR_PLAN_FOREIGN: return "step plan belongs to another optimizer";
        case EDGEOPT_ERR_PLAN_STALE: return "step plan is for an earlier step";
        case EDGEOPT_ERR_CHANGED_MID_STEP: return "options, kernel or state changed since the step began";
        case EDGEOPT_ERR_INVALID_TASKS: return "a step splits into 1 to EDGEOPT_MAX_TASKS tasks";
        case EDGEOPT_ERR_CHUNK_TOO_SMALL: return "chunk too small: at least 1 element, a q8 block with q8 state";
        case EDGEOPT_ERR_INVALID_ETAS: return "invalid etas: need 0 < etaminus < 1 < etaplus, finite in float32";
        case EDGEOPT_ERR_INVALID_STEP_SIZES: return "invalid step_sizes: must be >= 0 and finite in float32";
        case EDGEOPT_ERR_INVALID_LAMBD: return "invalid lambd: must be finite and >= 0";
        case EDGEOPT_ERR_INVALID_T0: return "invalid t0: must be finite and >= 0";
        case EDGEOPT_ERR_INVALID_FORM: return "invalid form: unknown, or folded for an algorithm without a folded form";
        case EDGEOPT_STATUS_COUNT: break;
    }
    return "unknown status";
#endif
}
