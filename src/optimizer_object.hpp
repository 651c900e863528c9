// SPDX-License-Identifier: Apache-2.0
// What api.cpp and step.cpp both need to know about an edgeopt_optimizer:
// whether it is initialized, and its state layout.
#pragma once
#include <cstdint>

#include "arena.hpp"
#include "edgeopt/edgeopt.h"
#include "optim/algorithms.hpp"

namespace edgeopt {

constexpr std::uint32_t initialized_magic = 0xED6E0B71u;

inline bool initialized(const edgeopt_optimizer* opt) { return opt && opt->magic == initialized_magic; }

inline unsigned slot_mask(const edgeopt_config& config) {
    return optim::visit(
        config.algorithm, [&](auto tag) { return decltype(tag)::type::slot_mask(decltype(tag)::type::of(config)); },
        [] { return 0u; });
}

inline arena::layout layout_of(const edgeopt_config& config) { return arena::layout::of(slot_mask(config), config); }

// A begun step's plan goes stale when this changes: options, kernel, state.
inline void changed(edgeopt_optimizer& opt) { ++opt.generation; }

}  // namespace edgeopt
