// SPDX-License-Identifier: Apache-2.0
// detmath's exp/log/pow agree with the C library far below float32's
// resolution (6e-8): exp and log to a few ulp of double; pow(b, x) loses
// |x·ln b| ulps through the log, like any pow without an extended-precision
// log (NAdam's exponent stays below 40 for a million steps).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <initializer_list>

#include "detmath.hpp"

namespace {

double relative_error(double got, double want) { return want == 0.0 ? std::fabs(got) : std::fabs(got / want - 1.0); }

}  // namespace

TEST_CASE("detmath exp, log and pow track libm") {
    double worst_exp = 0, worst_log = 0;
    for (double x = -700.0; x <= 700.0; x += 0.37) worst_exp = std::max(worst_exp, relative_error(edgeopt::detmath::exp(x), std::exp(x)));
    for (double x = 1e-300; x < 1e300; x *= 1.7) worst_log = std::max(worst_log, relative_error(edgeopt::detmath::log(x), std::log(x)));
    CHECK(worst_exp < 8e-16);
    CHECK(worst_log < 4e-16);
    CHECK(edgeopt::detmath::exp(0.0) == 1.0);
    CHECK(edgeopt::detmath::log(1.0) == 0.0);
    CHECK(std::isnan(edgeopt::detmath::log(-1.0)));
    // NAdam's 0.96^(t·ψ) over a long run.
    for (unsigned t = 1; t < 200000; t += 997)
        CHECK(relative_error(edgeopt::detmath::pow(0.96, t * 4e-3), std::pow(0.96, t * 4e-3)) < 1e-13);
}

TEST_CASE("detmath powi is exact where it can be and close elsewhere") {
    CHECK(edgeopt::detmath::powi(2.0, 10) == 1024.0);
    CHECK(edgeopt::detmath::powi(0.5, 0) == 1.0);
    for (std::uint64_t t : {1ull, 2ull, 7ull, 100ull, 12345ull, 1000000ull})
        CHECK(relative_error(edgeopt::detmath::powi(0.999, t), std::pow(0.999, static_cast<double>(t))) < 1e-12);
}
