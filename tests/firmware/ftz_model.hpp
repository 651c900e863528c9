// SPDX-License-Identifier: Apache-2.0
// The Helium kernels' arithmetic, modelled one lane at a time: the lane type
// that makes update<V>() compute what MVE computes (src/isa/helium).
//
// MVE float instructions use the Standard FPSCR value: subnormal operands
// and results of +, −, ×, fma and comparisons are flushed to zero of the same
// sign (results before rounding, as Arm detects tininess); ÷ and √ run on the
// scalar FPU (IEEE, subnormals kept); −x, |x| and the selects behind
// maximum() and sign() only move bits.  The tininess test uses the double
// result, exact for + − × and within one double rounding for fma.
#pragma once
#include <cfloat>
#include <cmath>

#include "kernel/driver.hpp"

namespace firmware {

struct ftz_lane {
    float x;
    ftz_lane() = default;
    ftz_lane(float value) : x(value) {}
};

inline float flush(float x) { return std::fabs(x) < FLT_MIN ? std::copysign(0.0f, x) : x; }

// An MVE result: zero if the unrounded value (`exact`) is tiny, else `rounded`.
inline ftz_lane mve_result(double exact, float rounded) {
    return std::fabs(exact) < double(FLT_MIN) ? std::copysign(0.0f, float(exact)) : rounded;
}

inline ftz_lane operator+(ftz_lane a, ftz_lane b) {
    const float x = flush(a.x), y = flush(b.x);
    return mve_result(double(x) + double(y), x + y);
}
inline ftz_lane operator-(ftz_lane a, ftz_lane b) {
    const float x = flush(a.x), y = flush(b.x);
    return mve_result(double(x) - double(y), x - y);
}
inline ftz_lane operator*(ftz_lane a, ftz_lane b) {
    const float x = flush(a.x), y = flush(b.x);
    return mve_result(double(x) * double(y), x * y);
}
inline ftz_lane fma(ftz_lane a, ftz_lane b, ftz_lane c) {
    const float x = flush(a.x), y = flush(b.x), z = flush(c.x);
    return mve_result(double(x) * double(y) + double(z), std::fma(x, y, z));
}
inline ftz_lane operator/(ftz_lane a, ftz_lane b) { return a.x / b.x; }
inline ftz_lane sqrt(ftz_lane a) { return std::sqrt(a.x); }
inline ftz_lane operator-(ftz_lane a) { return -a.x; }
inline ftz_lane abs(ftz_lane a) { return std::fabs(a.x); }

inline ftz_lane maximum(ftz_lane a, ftz_lane b) {
    if (a.x != a.x || b.x != b.x) return a + b;
    return flush(a.x) > flush(b.x) ? a : b;
}
inline ftz_lane sign(ftz_lane a) {
    const float x = flush(a.x);
    return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f);
}

}  // namespace firmware

template <>
struct edgeopt::kernel::lanes<firmware::ftz_lane> {
    static constexpr std::size_t width = 1;
    static firmware::ftz_lane load(const float* p) { return *p; }
    static void store(float* p, firmware::ftz_lane v) { *p = v.x; }
    static firmware::ftz_lane load_partial(const float* p, std::size_t) { return *p; }
    static void store_partial(float* p, firmware::ftz_lane v, std::size_t) { *p = v.x; }
};
