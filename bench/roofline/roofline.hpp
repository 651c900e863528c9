// SPDX-License-Identifier: Apache-2.0
// The bounds every optimizer result is compared with, measured in the same
// run by hand-written loops for each vector width the host has (the report
// takes the better one):
//   copy     a[i] = b[i]          STREAM Copy, 8 bytes per element counted
//   triad    a[i] = b[i] + s·c[i]  STREAM Triad, 12 bytes per element counted
//   streams  p += g, s_k += g       the optimizer's own streams, its bytes counted
// over arrays whose total size equals an optimizer's working set (p, g and
// its state), and
//   compute  the optimizer's per-element vector ops (count_ops) on values in
//            registers: an in-cache upper bound with no loads or stores.
// All three store normally (no streaming stores), as the
// optimizers do; a store to a line not yet read costs a hidden read
// (write-allocate) that STREAM does not count, while an optimizer reads
// every line it writes.
#pragma once
#include <cstddef>

#include "cases.hpp"

namespace bench {

enum class vector_isa { avx2, avx512 };
const char* name(vector_isa isa);
// Compiled in and supported by this CPU and OS (asked through edgeopt).
bool available(vector_isa isa);

void copy(vector_isa isa, float* a, const float* b, std::size_t n);
void triad(vector_isa isa, float* a, const float* b, const float* c, float s, std::size_t n);
// p[i] += g[i] and state[k][i] += g[i] for k < slots.
void streams(vector_isa isa, float* p, const float* g, float* const* state, unsigned slots, std::size_t n);
// `rounds` rounds of the op mix; returns the elements that was.
std::size_t compute(vector_isa isa, const op_mix& mix, std::size_t rounds, float* sink);

}  // namespace bench
