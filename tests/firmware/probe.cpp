// SPDX-License-Identifier: Apache-2.0
// Size probes for platforms/cortex-m/budgets.sh, one program each:
//   PROBE_OPTIMIZER=adam   one optimizer's maths: its per-step scalars
//                          (at_step) and the scalar kernel loop (run<float>),
//                          without the C API, whose dispatch reaches every
//                          optimizer;
//   PROBE_API              the C API, which pulls in the whole library;
//   neither                the baseline: startup, semihosting, newlib's exit.
// Inputs come from globals another file could change, so nothing folds away.
#include "edgeopt/edgeopt.h"
#include "kernel/driver.hpp"
#include "optim/algorithms.hpp"

edgeopt_config probe_config;
std::uint64_t probe_step = 1;
float probe_params[4], probe_grads[4], probe_state[3][4];
edgeopt_optimizer probe_optimizer;
unsigned char probe_arena[EDGEOPT_ARENA_BYTES_1(3, 4)];

int main() {
#if defined(PROBE_OPTIMIZER)
    using opt = edgeopt::optim::PROBE_OPTIMIZER;
    double mu_product = 1.0;
    const edgeopt::kernel::tensor_streams streams{
        probe_params, probe_grads, {probe_state[0], probe_state[1], probe_state[2]}, 4};
    edgeopt::kernel::run<float, opt>(opt::at_step(probe_config, probe_step, mu_product), streams);
#elif defined(PROBE_API)
    const std::size_t length = 4;
    const edgeopt_tensor tensor{probe_params, probe_grads, length};
    if (edgeopt_init(&probe_optimizer, &probe_config, &length, 1, probe_arena, sizeof probe_arena) != EDGEOPT_OK)
        return edgeopt_status_message(edgeopt_validate(&probe_config))[0];
    edgeopt_set_lr(&probe_optimizer, 0.5);
    return edgeopt_step(&probe_optimizer, &tensor, 1);
#endif
    return 0;
}
