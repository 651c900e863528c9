// SPDX-License-Identifier: Apache-2.0
// Parameter groups: one edgeopt_optimizer per consecutive range of tensors,
// all state in one caller arena (group g's slice follows group g − 1's).
//
// Why optimizers and not one optimizer with per-group options: torch keeps
// hyper-parameters per group but the step count per parameter, so a group
// that is frozen (grads None) must not advance its bias corrections.  An
// optimizer per group gives exactly that with no new code in the stepping
// path, and lets groups even use different algorithms.
#include <cmath>

#include "tensor_checks.hpp"
#include "edgeopt/train.h"

namespace {

constexpr std::uint32_t groups_magic = 0x6A0B5E75u;

bool initialized(const edgeopt_groups* g) { return g && g->magic == groups_magic; }
bool in_range(const edgeopt_groups* g, size_t group) { return initialized(g) && group < g->group_count; }

double lr_of(const edgeopt_config& c) {
    edgeopt_config copy = c;
    const double* lr = edgeopt_config_lr(&copy);
    return lr ? *lr : NAN;
}

// Each group's arena bytes; false if a config or the sizes are invalid.
bool plan(const edgeopt_config* configs, const size_t* group_sizes, size_t group_count, const size_t* lengths,
          size_t tensor_count, size_t bytes[EDGEOPT_GROUPS_MAX], size_t* total) {
    if (group_count < 1 || group_count > EDGEOPT_GROUPS_MAX) return false;
    size_t first = 0, sum = 0;
    for (size_t g = 0; g < group_count; ++g) {
        if (group_sizes[g] < 1 || group_sizes[g] > tensor_count - first) return false;
        bytes[g] = edgeopt_state_bytes(&configs[g], lengths + first, group_sizes[g]);
        if (bytes[g] == 0 || bytes[g] > static_cast<size_t>(-1) - sum) return false;
        sum += bytes[g];
        first += group_sizes[g];
    }
    if (first != tensor_count) return false;
    *total = sum;
    return true;
}

// Checks of edgeopt_groups_step for every group: all of them before any group steps.
edgeopt_status check_all(const edgeopt_groups& g, const edgeopt_tensor* tensors, size_t count) {
    if (!tensors) return EDGEOPT_ERR_NULL_POINTER;
    if (count != g.tensor_count) return EDGEOPT_ERR_TENSOR_COUNT_MISMATCH;
    for (size_t group = 0; group < g.group_count; ++group) {
        const edgeopt_optimizer& opt = g.optimizers[group];
        const edgeopt_tensor* own = tensors + g.first_tensor[group];
        if (g.frozen[group]) {
            for (size_t i = 0; i < g.tensors_in_group[group]; ++i)
                if (own[i].length != opt.lengths[i]) return EDGEOPT_ERR_LENGTH_MISMATCH;
            continue;
        }
        const edgeopt_status checked = edgeopt::train::check_step_tensors(opt, own, g.tensors_in_group[group]);
        if (checked != EDGEOPT_OK) return checked;
        // edgeopt_step sees only its own group's slice; other groups' state is off limits too.
        for (size_t i = 0; i < g.tensors_in_group[group]; ++i) {
            const size_t param_bytes = edgeopt::train::tensor_bytes(own[i].length, own[i].param_dtype);
            const size_t grad_bytes = edgeopt::train::tensor_bytes(own[i].length, own[i].grad_dtype);
            if (edgeopt::train::overlap(own[i].param, param_bytes, g.arena, g.arena_bytes) ||
                edgeopt::train::overlap(own[i].grad, grad_bytes, g.arena, g.arena_bytes))
                return EDGEOPT_ERR_OVERLAP;
        }
    }
    return EDGEOPT_OK;
}

void step_all(edgeopt_groups& g, const edgeopt_tensor* tensors) {
    for (size_t group = 0; group < g.group_count; ++group)
        if (!g.frozen[group])
            edgeopt_step(&g.optimizers[group], tensors + g.first_tensor[group], g.tensors_in_group[group]);
}

}  // namespace

extern "C" {

size_t edgeopt_groups_state_bytes(const edgeopt_config* configs, const size_t* group_sizes, size_t group_count,
                                  const size_t* lengths, size_t tensor_count) {
    if (!configs || !group_sizes || !lengths) return 0;
    size_t bytes[EDGEOPT_GROUPS_MAX], total = 0;
    return plan(configs, group_sizes, group_count, lengths, tensor_count, bytes, &total) ? total : 0;
}

edgeopt_status edgeopt_groups_init(edgeopt_groups* groups, const edgeopt_config* configs, const size_t* group_sizes,
                                   size_t group_count, const size_t* lengths, size_t tensor_count, void* arena,
                                   size_t arena_bytes) {
    if (!groups || !configs || !group_sizes || !lengths || !arena) return EDGEOPT_ERR_NULL_POINTER;
    if (tensor_count == 0 || group_count == 0) return EDGEOPT_ERR_NO_TENSORS;
    if (group_count > EDGEOPT_GROUPS_MAX) return EDGEOPT_ERR_TENSOR_COUNT_MISMATCH;
    for (size_t g = 0; g < group_count; ++g) {
        const edgeopt_status valid = edgeopt_validate(&configs[g]);
        if (valid != EDGEOPT_OK) return valid;
    }
    size_t bytes[EDGEOPT_GROUPS_MAX], total = 0;
    if (!plan(configs, group_sizes, group_count, lengths, tensor_count, bytes, &total))
        return EDGEOPT_ERR_TENSOR_COUNT_MISMATCH;  // group sizes that do not add up, or too many groups
    if (arena_bytes < total) return EDGEOPT_ERR_ARENA_TOO_SMALL;
    // edgeopt_init checks these per group; checking them here too means no
    // group can fail after an earlier one wrote its part of the arena.
    if (edgeopt::train::overlap(lengths, tensor_count * sizeof(size_t), arena, arena_bytes) ||
        edgeopt::train::overlap(groups, sizeof *groups, arena, arena_bytes))
        return EDGEOPT_ERR_OVERLAP;

    edgeopt_groups fresh{};
    fresh.magic = groups_magic;
    fresh.group_count = static_cast<std::uint32_t>(group_count);
    fresh.tensor_count = tensor_count;
    fresh.arena = static_cast<unsigned char*>(arena);
    fresh.arena_bytes = arena_bytes;
    size_t first = 0, offset = 0;
    for (size_t g = 0; g < group_count; ++g) {
        const edgeopt_status status = edgeopt_init(&fresh.optimizers[g], &configs[g], lengths + first, group_sizes[g],
                                                   fresh.arena + offset, bytes[g]);
        if (status != EDGEOPT_OK) return status;  // only an EDGEOPT_ISA in the environment gets here, at g = 0
        fresh.first_tensor[g] = first;
        fresh.tensors_in_group[g] = group_sizes[g];
        fresh.base_lr[g] = lr_of(configs[g]);
        first += group_sizes[g];
        offset += bytes[g];
    }
    *groups = fresh;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_groups_step(edgeopt_groups* groups, const edgeopt_tensor* tensors, size_t count) {
    if (!groups) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(groups)) return EDGEOPT_ERR_NOT_INITIALIZED;
    const edgeopt_status checked = check_all(*groups, tensors, count);
    if (checked != EDGEOPT_OK) return checked;
    step_all(*groups, tensors);
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_groups_step_guarded(edgeopt_groups* groups, edgeopt_guard* guard,
                                           const edgeopt_tensor* tensors, size_t count) {
    if (!groups || !guard) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(groups)) return EDGEOPT_ERR_NOT_INITIALIZED;
    const edgeopt_status checked = check_all(*groups, tensors, count);
    if (checked != EDGEOPT_OK) return checked;
    for (size_t group = 0; group < groups->group_count; ++group) {
        if (groups->frozen[group]) continue;
        if (!edgeopt::train::grads_finite(tensors + groups->first_tensor[group], groups->tensors_in_group[group])) {
            guard->steps_skipped += 1;
            guard->consecutive_skipped += 1;
            return EDGEOPT_ERR_NONFINITE_GRADIENT;
        }
    }
    step_all(*groups, tensors);
    guard->steps_taken += 1;
    guard->consecutive_skipped = 0;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_groups_freeze(edgeopt_groups* groups, size_t group, bool frozen) {
    if (!groups) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(groups)) return EDGEOPT_ERR_NOT_INITIALIZED;
    if (group >= groups->group_count) return EDGEOPT_ERR_NOT_INITIALIZED;
    groups->frozen[group] = frozen;
    return EDGEOPT_OK;
}

bool edgeopt_groups_is_frozen(const edgeopt_groups* groups, size_t group) {
    return in_range(groups, group) && groups->frozen[group];
}

edgeopt_status edgeopt_groups_set_lr(edgeopt_groups* groups, size_t group, double lr) {
    if (!groups) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(groups)) return EDGEOPT_ERR_NOT_INITIALIZED;
    if (group >= groups->group_count) return EDGEOPT_ERR_NOT_INITIALIZED;
    return edgeopt_set_lr(&groups->optimizers[group], lr);
}

edgeopt_status edgeopt_groups_scale_lr(edgeopt_groups* groups, double factor) {
    if (!groups) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(groups)) return EDGEOPT_ERR_NOT_INITIALIZED;
    // Validate every new lr before setting any.
    for (size_t g = 0; g < groups->group_count; ++g) {
        const double lr = groups->base_lr[g] * factor;
        if (!(lr >= 0.0 && lr <= 1.7976931348623157e308)) return EDGEOPT_ERR_INVALID_LR;
    }
    for (size_t g = 0; g < groups->group_count; ++g) edgeopt_set_lr(&groups->optimizers[g], groups->base_lr[g] * factor);
    return EDGEOPT_OK;
}

double edgeopt_groups_lr(const edgeopt_groups* groups, size_t group) {
    return in_range(groups, group) ? lr_of(groups->optimizers[group].config) : NAN;
}

double edgeopt_groups_base_lr(const edgeopt_groups* groups, size_t group) {
    return in_range(groups, group) ? groups->base_lr[group] : NAN;
}

edgeopt_optimizer* edgeopt_groups_optimizer(edgeopt_groups* groups, size_t group) {
    return in_range(groups, group) ? &groups->optimizers[group] : nullptr;
}

}  // extern "C"
