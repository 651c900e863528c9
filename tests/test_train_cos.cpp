// SPDX-License-Identifier: Apache-2.0
// detmath::cos (used by the cosine schedules) and powi_rounded against the
// C library and against exact values: correctly rounded, so within 1 ulp of
// glibc everywhere and equal to it for almost every argument.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "detmath.hpp"

namespace {

// |a − b| in ulps of b.
double ulps(double a, double b) {
    if (a == b) return 0;
    return std::fabs(a - b) / std::ldexp(1.0, std::ilogb(b) - 52);
}

}  // namespace

TEST_CASE("detmath cos is within 1 ulp of libm and equal to it almost always") {
    double worst = 0;
    long differ = 0, total = 0;
    auto check = [&](double x) {
        const double u = ulps(edgeopt::detmath::cos(x), std::cos(x));
        worst = std::max(worst, u);
        differ += u != 0;
        ++total;
    };
    // Schedule arguments: π·e/T and π·pct.
    for (int t = 1; t <= 300; ++t)
        for (int e = 0; e <= 3 * t; ++e) check(3.141592653589793 * e / t);
    for (int i = 0; i <= 20000; ++i) check(3.141592653589793 * (i / 20000.0));
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> small(-10.0, 10.0), large(-1e6, 1e6), tiny(-1e-3, 1e-3);
    for (int i = 0; i < 100000; ++i) {
        check(small(rng));
        check(large(rng));
        check(tiny(rng));
    }
    MESSAGE("detmath::cos differs from libm's cos by 1 ulp in ", differ, " of ", total, " arguments");
    CHECK(worst <= 1.0);
    CHECK(differ * 200 < total);  // measured ~0.1%
}

TEST_CASE("detmath cos is correctly rounded where glibc is not, and exact at the easy points") {
    // Values checked with mpmath at 300 bits (make_schedules.py's torch uses glibc's cos).
    CHECK(edgeopt::detmath::cos(0x1.921fb54442d19p+0) == -0x1.72cece675d1fdp-53);
    CHECK(edgeopt::detmath::cos(0x1.e49c5dbb49f5fp+1) == -0x1.99508fd7af0dfp-1);
    CHECK(edgeopt::detmath::cos(0x1.0011c6bfff13ep+3) == -0x1.2e61525e0f341p-3);
    CHECK(edgeopt::detmath::cos(0.0) == 1.0);
    CHECK(edgeopt::detmath::cos(-0.0) == 1.0);
    CHECK(edgeopt::detmath::cos(3.141592653589793) == -1.0);
    CHECK(edgeopt::detmath::cos(1e-9) == 1.0);
    CHECK(edgeopt::detmath::cos(-2.5) == edgeopt::detmath::cos(2.5));
    CHECK(std::isnan(edgeopt::detmath::cos(NAN)));
    CHECK(std::isnan(edgeopt::detmath::cos(INFINITY)));
    CHECK(std::isnan(edgeopt::detmath::cos(-INFINITY)));
    // Large arguments keep their accuracy (exact n·π/2 products).
    CHECK(ulps(edgeopt::detmath::cos(1e12 + 0.5), std::cos(1e12 + 0.5)) <= 1.0);
    CHECK(ulps(edgeopt::detmath::cos(123456789.0), std::cos(123456789.0)) <= 1.0);
}

TEST_CASE("detmath powi_rounded is the correctly rounded power") {
    CHECK(edgeopt::detmath::powi_rounded(0.3, 0) == 1.0);
    CHECK(edgeopt::detmath::powi_rounded(0.3, 1) == 0.3);
    CHECK(edgeopt::detmath::powi_rounded(0.3, 2) == 0.3 * 0.3);  // one rounding either way
    for (double base : {0.1, 0.5, 0.3, 0.9, 0.95, 1.7})
        for (unsigned n = 0; n <= 8; ++n)
            CHECK(ulps(edgeopt::detmath::powi_rounded(base, n), std::pow(base, n)) <= 1.0);
}
