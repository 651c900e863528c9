// SPDX-License-Identifier: Apache-2.0
// What the benchmarks measure: the optimizer option sets, the problem sizes,
// and what each optimizer costs per parameter (bytes moved, vector ops).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "edgeopt/edgeopt.h"

namespace bench {

// One row of the results: an optimizer with the options it is benchmarked with.
struct optimizer_case {
    std::string name;  // "adam", "sgd_momentum", ...
    edgeopt_config config;
};

// Every optimizer with a typical option set (torch defaults unless noted in cases.cpp).
const std::vector<optimizer_case>& optimizer_cases();

// A problem: a list of tensor lengths.
struct shape {
    std::string name;  // "4K", ..., "model"
    std::vector<std::size_t> lengths;
    std::size_t total() const;
};

// 4K, 64K, 1M, 16M single tensors, then the model-shaped list.  smoke: 4K only.
std::vector<shape> shapes(bool smoke);
// The parameter tensors of ResNet-110 for CIFAR-10 (He et al. 2016): 1.7M
// parameters in 329 tensors (conv weights, BatchNorm weight and bias, fc).
std::vector<std::size_t> resnet110_lengths();

unsigned state_slots(const optimizer_case& c);
// Bytes are counted the same way for the optimizers and the roofline loops:
// what crosses the memory bus.  An array read counts once, an array written
// once more, and an array written without being read counts its
// write-allocate read too (the cache line is fetched before the store).
// An optimizer reads p, g and every slot and writes p and every slot.
inline std::size_t bytes_per_param(unsigned slots) { return 4 * (2 + slots) + 4 * (1 + slots); }
// STREAM Copy a[i] = b[i]: read b, fetch and write a.
constexpr std::size_t copy_bytes_per_element = 4 + 4 + 4;
// STREAM Triad a[i] = b[i] + s·c[i]: read b and c, fetch and write a.
constexpr std::size_t triad_bytes_per_element = 4 + 4 + 4 + 4;
// The memory a step touches, per parameter (p, g, slots).
inline std::size_t footprint_per_param(unsigned slots) { return 4 * (2 + slots); }

// Vector operations per element of one step, counted by running the
// optimizer's own update() on a counting lane type (opcount.cpp).
struct op_mix {
    unsigned fma = 0, mul = 0, add = 0, div = 0, sqrt = 0, other = 0;  // other: abs, max, sign, neg
};
op_mix count_ops(const optimizer_case& c);
std::string describe(const op_mix& m);

// Steps run before timing, so that state is warm and step-dependent
// branches are past: SGD's first step; RAdam's unrectified steps (with
// β₂ = 0.999, ρₜ > 5 from step 6).  Kept short: at 16M a scalar step takes
// a third of a second.
inline unsigned warm_steps(const optimizer_case& c) { return c.config.algorithm == EDGEOPT_RADAM ? 5 : 2; }

}  // namespace bench
