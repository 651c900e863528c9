// What every optimizer file shares: the C types, the scalar ops, and the
// conventions below.
//
// Each optimizer is one struct in one file:
//   options        its edgeopt_*_options (torch's names and defaults)
//   validate()     torch's hyper-parameter checks, as named errors
//   slot_mask()    which of the 3 state slots these options use
//   initial_value()what a state slot holds before the first step
//   coeffs         per-step scalars, formed once per step in double by
//   at_step()      and rounded once to float (as torch rounds Python floats
//                  into a float32 kernel)
//   update<V>()    the element-wise maths, for V = float (the reference) or a
//                  SIMD vector; written with fma/sqrt/maximum/sign and + − × ÷.
#pragma once
#include <cstdint>

#include "edgeopt/edgeopt.h"
#include "kernel/scalar_ops.hpp"

namespace edgeopt::optim {

inline float to_f32(double x) { return static_cast<float>(x); }

// torch's "0 <= x" checks, written so that NaN fails them; infinity fails too
// (torch lets it through, then every parameter becomes NaN or inf).
inline bool non_negative(double x) { return x >= 0.0 && x <= 1.7976931348623157e308; }
inline bool unit_interval_open(double x) { return x >= 0.0 && x < 1.0; }
inline bool unit_interval_closed(double x) { return x >= 0.0 && x <= 1.0; }

// "g ← −g if maximize; g ← g + λθ if weight_decay ≠ 0", shared by most optimizers.
template <class V>
inline V signed_decayed_grad(V g, V p, bool maximize, bool weight_decay_on, float weight_decay) {
    if (maximize) g = -g;
    if (weight_decay_on) g = fma(V(weight_decay), p, g);
    return g;
}

}  // namespace edgeopt::optim
