/* SPDX-License-Identifier: Apache-2.0
 * SGD with momentum on a small static model, as firmware would run it; the
 * exit status reaches the host through semihosting. */
#include <edgeopt/edgeopt.h>

#define N 32
static float weights[N], grads[N];
static unsigned char arena[EDGEOPT_ARENA_BYTES_1(1, N)];

int main(void) {
    edgeopt_config config = edgeopt_defaults(EDGEOPT_SGD);
    const size_t length = N;
    edgeopt_optimizer opt;
    edgeopt_status status;
    int step, i;

    EDGEOPT_OPTIONS(config).sgd.lr = 0.1;
    EDGEOPT_OPTIONS(config).sgd.momentum = 0.5;
    status = edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena);
    for (step = 0; status == EDGEOPT_OK && step < 50; ++step) {
        edgeopt_tensor tensor = edgeopt_tensor_f32(weights, grads, N);
        for (i = 0; i < N; ++i) grads[i] = weights[i] - (float)i; /* pulls weights[i] to i */
        status = edgeopt_step(&opt, &tensor, 1);
    }
    if (status != EDGEOPT_OK) return 2;
    for (i = 0; i < N; ++i)
        if (weights[i] < (float)i - 0.01f || weights[i] > (float)i + 0.01f) return 3;
    return 0;
}
