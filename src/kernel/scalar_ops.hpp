// SPDX-License-Identifier: Apache-2.0
// The scalar operations the optimizer maths is written in.
//
// Every optimizer's update() is a template over a lane type V: float here
// (the reference), a SIMD vector in src/isa/.  Both spell fused multiply-add
// as fma() and never rely on the compiler contracting a*b+c: the library is
// built with -ffp-contract=off.  NaN semantics are pinned down here so that
// every ISA can match them: maximum() propagates NaN like torch.maximum,
// sign() maps NaN to 0 like torch.sign.
#pragma once
#include <cmath>

namespace edgeopt {

inline float fma(float a, float b, float c) { return std::fma(a, b, c); }
inline float sqrt(float x) { return std::sqrt(x); }
inline float abs(float x) { return std::fabs(x); }
// a > b ? a : b is also x86 maxps's rule for equal operands (max(+0,-0) = -0).
inline float maximum(float a, float b) { return (a != a || b != b) ? a + b : (a > b ? a : b); }
inline float sign(float x) { return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f); }

}  // namespace edgeopt
