// SPDX-License-Identifier: Apache-2.0
// Adam on two tensors with a static arena, in C++17.
#include <cstdio>

#include <edgeopt/edgeopt.hpp>

static float weights[64 * 10], bias[10];
static float weights_grad[64 * 10], bias_grad[10];

// 2 state slots per parameter (exp_avg, exp_avg_sq), sized at compile time.
alignas(64) static unsigned char arena[edgeopt::arena_bytes(2, {64 * 10, 10})];

int main() {
    edgeopt::config config = edgeopt::defaults(EDGEOPT_ADAM);
    config.adam.lr = 3e-4;
    config.adam.weight_decay = 1e-4;

    edgeopt::optimizer opt;
    if (edgeopt::status s = opt.init(config, {64 * 10, 10}, arena); s != EDGEOPT_OK) {
        std::printf("init: %s\n", edgeopt::message(s));
        return 1;
    }
    const edgeopt::tensor tensors[] = {edgeopt_tensor_f32(weights, weights_grad, 64 * 10),
                                       edgeopt_tensor_f32(bias, bias_grad, 10)};
    for (int step = 0; step < 100; ++step) {
        // ... forward and backward fill weights_grad and bias_grad ...
        weights_grad[0] = 1.0f;
        if (step == 50) opt.set_lr(1e-4);  // a schedule changes lr between steps
        if (edgeopt::status s = opt.step(tensors); s != EDGEOPT_OK) {
            std::printf("step: %s\n", edgeopt::message(s));
            return 1;
        }
    }
    std::printf("%llu steps on %s, weights[0] = %.6f\n", static_cast<unsigned long long>(opt.step_count()),
                edgeopt_isa_name(opt.active_isa()), static_cast<double>(weights[0]));
    return 0;
}
