// SPDX-License-Identifier: Apache-2.0
// What the schedule files share: torch's per-kind formulas, applied to one
// parameter group's lr.
#pragma once
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "edgeopt/train.h"

namespace edgeopt::train {

constexpr std::uint32_t schedule_magic = 0x5C4ED01Eu;

inline bool finite_non_negative(double x) { return x >= 0.0 && x <= 1.7976931348623157e308; }

// An enum field as the integer a C caller stored: reading an out-of-range
// value through the C++ enum type is undefined, so validation reads bytes.
template <class Enum>
std::underlying_type_t<Enum> raw(const Enum& e) {
    std::underlying_type_t<Enum> value;
    std::memcpy(&value, &e, sizeof value);
    return value;
}

// torch's step 0 of a fresh scheduler: the constructor's own step
// (closed_form = false), or SequentialLR's scheduler.step(0) when a phase
// starts at a milestone (closed_form = true).  The config is valid; it is
// taken by value because a chain passes the phase's own copy.
void start(edgeopt_schedule& s, edgeopt_schedule_config config, double base_lr, bool closed_form);

// One scheduler.step(metric).  Returns false where torch raises (OneCycleLR
// past total_steps), leaving s unchanged.
bool advance(edgeopt_schedule& s, double metric);

// OneCycleLR's get_lr() at step `step` (torch's last_epoch).
double one_cycle_lr(const edgeopt_one_cycle_lr_options& o, std::uint64_t step);
// OneCycleLR's phase ends (torch's phase['end_step']); returns the number of phases.
unsigned one_cycle_phase_ends(const edgeopt_one_cycle_lr_options& o, double ends[3]);

// ReduceLROnPlateau.step(metric) on s.lr, s.best and the counters.
void plateau_step(edgeopt_schedule& s, double metric);
double plateau_mode_worse(const edgeopt_plateau_options& o);

}  // namespace edgeopt::train
