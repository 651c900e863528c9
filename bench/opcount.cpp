// SPDX-License-Identifier: Apache-2.0
// Counts the vector operations of one element of a step by running the
// optimizer's own update() on a lane type that counts instead of computing
// what matters (it still computes, so that data-dependent paths are real).
// Broadcasting a coefficient is not counted: kernels hoist it out of the loop.
#include "cases.hpp"
#include "optim/algorithms.hpp"

namespace bench {

namespace {

struct counting_lane {
    float x = 0.0f;
    counting_lane() = default;
    counting_lane(float value) : x(value) {}
};

op_mix* counts = nullptr;  // set for the duration of count_ops()

counting_lane operator+(counting_lane a, counting_lane b) { return ++counts->add, a.x + b.x; }
counting_lane operator-(counting_lane a, counting_lane b) { return ++counts->add, a.x - b.x; }
counting_lane operator*(counting_lane a, counting_lane b) { return ++counts->mul, a.x * b.x; }
counting_lane operator/(counting_lane a, counting_lane b) { return ++counts->div, a.x / b.x; }
counting_lane operator-(counting_lane a) { return ++counts->other, -a.x; }
counting_lane fma(counting_lane a, counting_lane b, counting_lane c) {
    return ++counts->fma, edgeopt::fma(a.x, b.x, c.x);
}
counting_lane sqrt(counting_lane a) { return ++counts->sqrt, edgeopt::sqrt(a.x); }
counting_lane abs(counting_lane a) { return ++counts->other, edgeopt::abs(a.x); }
counting_lane maximum(counting_lane a, counting_lane b) { return ++counts->other, edgeopt::maximum(a.x, b.x); }
// Two ops at best (a compare and a blend, or and/or with the sign bit).
counting_lane sign(counting_lane a) { return counts->other += 2, edgeopt::sign(a.x); }

}  // namespace

op_mix count_ops(const optimizer_case& c) {
    op_mix mix;
    edgeopt::optim::visit(
        c.config.algorithm,
        [&](auto tag) {
            using Opt = typename decltype(tag)::type;
            double mu_product = 1.0;
            typename Opt::coeffs coeffs{};
            for (std::uint64_t t = 1; t <= warm_steps(c) + 1; ++t) coeffs = Opt::at_step(c.config, t, mu_product);
            counting_lane p(0.5f), g(0.01f);
            counting_lane state[3] = {0.1f, 0.01f, 0.02f};
            counts = &mix;
            Opt::update(coeffs, p, g, state);
            counts = nullptr;
        },
        [] {});
    return mix;
}

}  // namespace bench
