// SPDX-License-Identifier: Apache-2.0
// SequentialLR: phases handed over at milestones.  torch's SequentialLR.step()
// finds the phase with bisect_right(milestones, epoch); a phase reached at
// its milestone restarts with scheduler.step(0), i.e. its closed form at
// epoch 0 from base_lr, and then runs its own recursive form on the lr it
// produced.
#include <cmath>

#include "train/schedule_rules.hpp"

namespace {

constexpr std::uint32_t chain_magic = 0x5C4EC4A1u;

bool initialized(const edgeopt_schedule_chain* c) { return c && c->magic == chain_magic; }

bool chainable(edgeopt_schedule_kind kind) {
    return kind != EDGEOPT_SCHEDULE_PLATEAU && kind != EDGEOPT_SCHEDULE_ONE_CYCLE;
}

}  // namespace

extern "C" {

edgeopt_status edgeopt_schedule_chain_init(edgeopt_schedule_chain* chain, const edgeopt_schedule_config* phases,
                                           size_t count, const uint32_t* milestones, double base_lr) {
    if (!chain || !phases || (count > 1 && !milestones)) return EDGEOPT_ERR_NULL_POINTER;
    if (count < 1 || count > EDGEOPT_CHAIN_MAX) return EDGEOPT_ERR_INVALID_SCHEDULE;
    for (size_t i = 0; i < count; ++i) {
        const edgeopt_status valid = edgeopt_schedule_validate(&phases[i]);
        if (valid != EDGEOPT_OK) return valid;
        if (!chainable(phases[i].kind)) return EDGEOPT_ERR_INVALID_SCHEDULE;
    }
    for (size_t i = 0; i + 1 < count; ++i)
        if (milestones[i] < 1 || (i > 0 && milestones[i] <= milestones[i - 1])) return EDGEOPT_ERR_INVALID_SCHEDULE;
    if (!edgeopt::train::finite_non_negative(base_lr)) return EDGEOPT_ERR_INVALID_LR;

    edgeopt_schedule_chain fresh{};
    fresh.magic = chain_magic;
    fresh.count = static_cast<std::uint32_t>(count);
    for (size_t i = 0; i + 1 < count; ++i) fresh.milestones[i] = milestones[i];
    // Phases after the first only need their config and base_lr until their milestone.
    for (size_t i = 0; i < count; ++i) {
        fresh.phases[i].config = phases[i];
        fresh.phases[i].base_lr = base_lr;
    }
    edgeopt::train::start(fresh.phases[0], phases[0], base_lr, false);
    *chain = fresh;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_schedule_chain_step(edgeopt_schedule_chain* chain, double* lr) {
    if (!chain) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(chain)) return EDGEOPT_ERR_NOT_INITIALIZED;
    if (chain->epoch == UINT64_MAX) return EDGEOPT_ERR_INVALID_SCHEDULE;
    const std::uint64_t epoch = chain->epoch + 1;
    std::uint32_t index = 0;  // bisect_right(milestones, epoch)
    while (index + 1 < chain->count && chain->milestones[index] <= epoch) ++index;
    edgeopt_schedule phase = chain->phases[index];
    if (index > 0 && chain->milestones[index - 1] == epoch)
        edgeopt::train::start(phase, phase.config, phase.base_lr, true);
    else if (!edgeopt::train::advance(phase, 0.0))
        return EDGEOPT_ERR_INVALID_SCHEDULE;
    chain->phases[index] = phase;
    chain->active = index;
    chain->epoch = epoch;
    if (lr) *lr = phase.lr;
    return EDGEOPT_OK;
}

double edgeopt_schedule_chain_lr(const edgeopt_schedule_chain* chain) {
    return initialized(chain) ? chain->phases[chain->active].lr : NAN;
}

edgeopt_status edgeopt_schedule_chain_apply(const edgeopt_schedule_chain* chain, edgeopt_optimizer* opt) {
    if (!chain || !opt) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(chain)) return EDGEOPT_ERR_NOT_INITIALIZED;
    return edgeopt_set_lr(opt, chain->phases[chain->active].lr);
}

}  // extern "C"

