// SPDX-License-Identifier: Apache-2.0
// The bounds every optimizer result is compared with, measured in the same
// run by hand-written loops for each vector width the host has (the report
// takes the better one):
//   copy     a[i] = b[i]          STREAM Copy, 12 bytes per element
//   triad    a[i] = b[i] + s·c[i]  STREAM Triad, 16 bytes per element
//   streams  p += g, s_k += g       the optimizer's own streams and bytes
// over arrays whose total size equals an optimizer's working set (p, g and
// its state), and
//   compute  the optimizer's per-element vector ops (count_ops) on values in
//            registers: an in-cache upper bound with no loads or stores.
// All three store normally (no streaming stores), as the optimizers do, and
// all count bytes as cases.hpp does: a store to a line not yet read costs a
// read (write-allocate), which STREAM itself leaves out (it counts 8 and 12
// bytes) but the bus carries; an optimizer reads every line it writes.
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
