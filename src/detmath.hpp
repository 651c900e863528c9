// Deterministic double-precision pow/exp/log for per-step scalars.
//
// libm's exp/log/pow may differ in the last bit between glibc, newlib and
// other C libraries, which would make β^t or NAdam's 0.96^(tψ) differ across
// platforms.  These use only +, −, ×, ÷, frexp and ldexp (all exact or
// correctly rounded under IEEE 754 with -ffp-contract=off), so every target
// gets the same bits.  Accuracy is a few ulp of double, far below the float32
// rounding the results go through.
#pragma once
#include <cmath>
#include <cstdint>

namespace edgeopt::detmath {

// base^n by binary exponentiation: about log2(n) roundings, no state to keep.
inline double powi(double base, std::uint64_t n) {
    double result = 1.0;
    while (n != 0) {
        if (n & 1u) result *= base;
        base *= base;
        n >>= 1;
    }
    return result;
}

// ln 2 split so that k·ln2_hi is exact for |k| < 2^20.
constexpr double ln2_hi = 6.93147180369123816490e-01;
constexpr double ln2_lo = 1.90821492927058770002e-10;

inline double exp(double x) {
    if (x != x) return x;
    if (x > 709.0) return HUGE_VAL;
    if (x < -745.2) return 0.0;
    const double k = std::floor(x * 1.4426950408889634 + 0.5);
    const double r = (x - k * ln2_hi) - k * ln2_lo;  // |r| <= 0.35
    // Taylor series to r^14/14!; the next term is below 2^-56 for |r| <= 0.35.
    double sum = 1.0;
    for (int i = 14; i >= 1; --i) sum = 1.0 + sum * r / i;
    return std::ldexp(sum, static_cast<int>(k));
}

inline double log(double x) {
    if (!(x > 0.0)) return x == 0.0 ? -HUGE_VAL : NAN;
    if (x == HUGE_VAL) return x;
    int e = 0;
    double m = std::frexp(x, &e);  // x = m·2^e, m in [0.5, 1)
    if (m < 0.70710678118654752) {
        m *= 2.0;
        --e;
    }
    // ln m = 2·atanh(s), s = (m−1)/(m+1), |s| <= 0.172: terms to s^23 reach 2^-60.
    const double s = (m - 1.0) / (m + 1.0);
    const double s2 = s * s;
    double series = 0.0;
    for (int i = 23; i >= 1; i -= 2) series = series * s2 + 1.0 / i;
    return e * ln2_hi + (e * ln2_lo + 2.0 * s * series);
}

inline double pow(double base, double exponent) { return detmath::exp(exponent * detmath::log(base)); }

}  // namespace edgeopt::detmath
