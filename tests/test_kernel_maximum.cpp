// SPDX-License-Identifier: Apache-2.0
// maximum() per kernel where the optimizer sweeps cannot see it: the x86
// kernels compute it with vmaxps, whose result depends on operand order for
// ±0 and for NaN.  AMSGrad stores max(v̂, v) in its state, so state written
// by hand reaches both cases: v̂ = −0 against v = +0 (the scalar rule
// x > y ? x : y gives +0), and a NaN on either side (NaN).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

constexpr unsigned max_exp_avg_sq = 2;

// One AMSGrad step from max_exp_avg_sq = `max_before` and gradient `grad`
// (exp_avg and exp_avg_sq start at 0); the max_exp_avg_sq it leaves.
std::vector<float> amsgrad_max(edgeopt_isa isa, float max_before, float grad) {
    edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAM);
    config.adam.amsgrad = true;
    const std::size_t length = 37;  // vector body and tail on every ISA
    std::vector<float> params(length, 1.0f), grads(length, grad), before(length, max_before);
    std::vector<unsigned char> arena(edgeopt_state_bytes(&config, &length, 1));
    edgeopt_optimizer opt;
    REQUIRE(edgeopt_init(&opt, &config, &length, 1, arena.data(), arena.size()) == EDGEOPT_OK);
    REQUIRE(edgeopt_set_isa(&opt, isa) == EDGEOPT_OK);
    REQUIRE(edgeopt_state_write(&opt, 0, max_exp_avg_sq, before.data()) == EDGEOPT_OK);
    const edgeopt_tensor tensor{params.data(), grads.data(), length};
    REQUIRE(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK);
    const float* after = edgeopt_state_buffer(&opt, 0, max_exp_avg_sq);
    REQUIRE(after != nullptr);
    return {after, after + length};
}

}  // namespace

TEST_CASE("every kernel's maximum keeps the scalar rule for signed zeros and NaN") {
    struct example {
        const char* name;
        float max_before, grad;
        bool want_nan, want_negative;
    };
    const example examples[] = {
        {"max(-0, +0) is +0", -0.0f, 0.0f, false, false},
        {"max(NaN, +0) is NaN", NAN, 0.0f, true, false},
        {"max(+0, NaN) is NaN", 0.0f, NAN, true, false},
    };
    for (edgeopt_isa isa : test::available_isas()) {
        for (const example& e : examples) {
            const std::string isa_name = edgeopt_isa_name(isa);
            CAPTURE(isa_name);
            const std::string example_name = e.name;
            CAPTURE(example_name);
            const std::vector<float> want = amsgrad_max(EDGEOPT_ISA_SCALAR, e.max_before, e.grad);
            const std::vector<float> got = amsgrad_max(isa, e.max_before, e.grad);
            for (std::size_t i = 0; i < got.size(); ++i) {
                CAPTURE(i);
                REQUIRE(test::same_bits(got[i], want[i]));
                REQUIRE(std::isnan(got[i]) == e.want_nan);
                if (!e.want_nan) REQUIRE(std::signbit(got[i]) == e.want_negative);
            }
        }
    }
}
