// SPDX-License-Identifier: Apache-2.0
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
// Branch-free: multiplying by 1.0 is exact, so the bits are those of the
// "if (n & 1) result *= base" form, without its branch on each bit of n,
// which mispredicted: a 16-element Adam step took 147 ns with it, 113 without.
inline double powi(double base, std::uint64_t n) {
    double result = 1.0;
    while (n != 0) {
        const double factors[2] = {1.0, base};
        result *= factors[n & 1u];
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

// Double-double arithmetic (a value is hi + lo, |lo| <= ulp(hi)/2): about
// 106 bits from + − × alone (Dekker, Knuth), for the few scalars that must
// be correctly rounded, not just within a few ulp.  Needs -ffp-contract=off
// and FLT_EVAL_METHOD == 0, like everything in this file.
struct dd {
    double hi, lo;
};

inline dd fast_two_sum(double a, double b) {  // |a| >= |b|
    const double s = a + b;
    return {s, b - (s - a)};
}

inline dd two_sum(double a, double b) {
    const double s = a + b;
    const double bb = s - a;
    return {s, (a - (s - bb)) + (b - bb)};
}

// Veltkamp split into two 26-bit halves; |a| < 2^995.
inline void split(double a, double& hi, double& lo) {
    const double c = 134217729.0 * a;  // 2^27 + 1
    hi = c - (c - a);
    lo = a - hi;
}

inline dd two_prod(double a, double b) {
    double ah, al, bh, bl;
    split(a, ah, al);
    split(b, bh, bl);
    const double p = a * b;
    return {p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
}

inline dd dd_add(dd a, dd b) {
    dd s = two_sum(a.hi, b.hi);
    const dd t = two_sum(a.lo, b.lo);
    s = fast_two_sum(s.hi, s.lo + t.hi);
    return fast_two_sum(s.hi, s.lo + t.lo);
}

inline dd dd_mul(dd a, dd b) {
    const dd p = two_prod(a.hi, b.hi);
    return fast_two_sum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

// base^n for small n, rounded once (as a correctly rounded pow returns it;
// torch's gamma ** k is libm pow).
inline double powi_rounded(double base, unsigned n) {
    dd result{1.0, 0.0};
    for (unsigned i = 0; i < n; ++i) result = dd_mul(result, dd{base, 0.0});
    return result.hi + result.lo;
}

// cos(x), correctly rounded but for arguments within ~2^-100 of a rounding
// boundary, so it returns glibc's bits for schedule arguments (tested in
// test_detmath.cpp).  x − n·π/2 is formed exactly in double-double with a
// 3-part π/2 (159 bits) and an exact n·part product, good to |x| < 2^50;
// cos and sin of the remainder (|r| <= π/4) are Taylor series in
// double-double, to the term below 2^-106.
inline double cos(double x) {
    if (x != x || x == HUGE_VAL || x == -HUGE_VAL) return NAN;
    x = std::fabs(x);
    constexpr double pio2_1 = 0x1.921fb54442d18p+0, pio2_2 = 0x1.1a62633145c07p-54, pio2_3 = -0x1.f1976b7ed8fbcp-110;
    const double n = std::floor(x * 0x1.45f306dc9c883p-1 + 0.5);  // nearest to x·2/π
    dd r{x, 0.0};
    if (n != 0.0) {
        const dd p1 = two_prod(n, pio2_1);
        const dd p2 = two_prod(n, pio2_2);
        r = two_sum(x - p1.hi, -p1.lo);  // x − p1.hi is exact (Sterbenz)
        r = dd_add(r, dd{-p2.hi, -p2.lo});
        r = dd_add(r, dd{-(n * pio2_3), 0.0});
    }
    // 1/k! as double-double, k = 2..29.
    constexpr double inv_factorial[28][2] = {
        {0x1.0000000000000p-1, 0x0.0p+0},                 {0x1.5555555555555p-3, 0x1.5555555555555p-57},
        {0x1.5555555555555p-5, 0x1.5555555555555p-59},    {0x1.1111111111111p-7, 0x1.1111111111111p-63},
        {0x1.6c16c16c16c17p-10, -0x1.f49f49f49f49fp-65},  {0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-73},
        {0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-76},   {0x1.71de3a556c734p-19, -0x1.c154f8ddc6c00p-73},
        {0x1.27e4fb7789f5cp-22, 0x1.cbbc05b4fa99ap-76},   {0x1.ae64567f544e4p-26, -0x1.c062e06d1f209p-80},
        {0x1.1eed8eff8d898p-29, -0x1.2aec959e14c06p-83},  {0x1.6124613a86d09p-33, 0x1.f28e0cc748ebep-87},
        {0x1.93974a8c07c9dp-37, 0x1.05d6f8a2efd1fp-92},   {0x1.ae7f3e733b81fp-41, 0x1.1d8656b0ee8cbp-97},
        {0x1.ae7f3e733b81fp-45, 0x1.1d8656b0ee8cbp-101},  {0x1.952c77030ad4ap-49, 0x1.ac981465ddc6cp-103},
        {0x1.6827863b97d97p-53, 0x1.eec01221a8b0bp-107},  {0x1.2f49b46814157p-57, 0x1.2650f61dbdcb4p-112},
        {0x1.e542ba4020225p-62, 0x1.ea72b4afe3c2fp-120},  {0x1.71b8ef6dcf572p-66, -0x1.d043ae40c4647p-120},
        {0x1.0ce396db7f853p-70, -0x1.aebcdbd20331cp-124}, {0x1.761b41316381ap-75, -0x1.3423c7d91404fp-130},
        {0x1.f2cf01972f578p-80, -0x1.9ada5fcc1ab14p-135}, {0x1.3f3ccdd165fa9p-84, -0x1.58ddadf344487p-139},
        {0x1.88e85fc6a4e5ap-89, -0x1.71c37ebd16540p-143}, {0x1.d1ab1c2dccea3p-94, 0x1.054d0c78aea14p-149},
        {0x1.0a18a2635085dp-98, 0x1.b9e2e28e1aa54p-153},  {0x1.259f98b4358adp-103, 0x1.eaf8c39dd9bc5p-157},
    };
    const auto quadrant = static_cast<std::uint64_t>(n) & 3u;
    const bool want_sin = quadrant & 1u;
    // Horner in z = r²: Σ (−1)^k z^k / (2k + first)!, first = 0 for cos, 1 for sin;
    // 14 terms, the first dropped one is below 2^-108 for |r| <= π/4.
    const dd z = dd_mul(r, r);
    const int first = want_sin ? 1 : 0;
    dd sum{0.0, 0.0};
    for (int k = 14; k >= 1; --k) {
        const double* c = inv_factorial[2 * k + first - 2];
        const dd term = (k & 1) ? dd{-c[0], -c[1]} : dd{c[0], c[1]};
        sum = dd_add(dd_mul(sum, z), term);
    }
    sum = dd_add(dd_mul(sum, z), dd{1.0, 0.0});
    if (want_sin) sum = dd_mul(sum, r);
    const double result = sum.hi + sum.lo;
    return (quadrant == 1 || quadrant == 2) ? -result : result;
}

}  // namespace edgeopt::detmath
