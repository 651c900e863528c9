/* SPDX-License-Identifier: Apache-2.0 */
/* SGD with Nesterov momentum on one tensor with a static arena, in C99. */
#include <stdio.h>

#include <edgeopt/edgeopt.h>

#define N 256
static float params[N], grads[N];
static unsigned char arena[EDGEOPT_ARENA_BYTES_1(1, N)]; /* 1 slot: momentum_buffer */

int main(void) {
    edgeopt_config config = edgeopt_defaults(EDGEOPT_SGD);
    config.sgd.lr = 0.01;
    config.sgd.momentum = 0.9;
    config.sgd.nesterov = true;

    const size_t length = N;
    edgeopt_optimizer opt;
    edgeopt_status status = edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena);
    for (int step = 0; status == EDGEOPT_OK && step < 100; ++step) {
        for (int i = 0; i < N; ++i) grads[i] = params[i] - 1.0f; /* pulls every parameter to 1 */
        const edgeopt_tensor tensor = edgeopt_tensor_f32(params, grads, N);
        status = edgeopt_step(&opt, &tensor, 1);
    }
    if (status != EDGEOPT_OK) {
        printf("edgeopt: %s\n", edgeopt_status_message(status));
        return 1;
    }
    printf("after %llu steps params[0] = %.4f\n", (unsigned long long)edgeopt_step_count(&opt), params[0]);
    return params[0] > 0.99f && params[0] < 1.01f ? 0 : 1;
}
