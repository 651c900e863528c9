/* SPDX-License-Identifier: Apache-2.0
 *
 * What every consumer project runs: one Adam step and one SGD step with
 * known results, through the installed (or embedded) headers and library.
 * C99 with -pedantic-errors in the pkg-config consumer; also built as C11.
 * Exit 0 and "consumer ok" only if the numbers and the version agree. */
#include <stdio.h>
#include <string.h>

#include <edgeopt/edgeopt.h>
#include <edgeopt/version.h>

#define N 3
static unsigned char arena[EDGEOPT_ARENA_BYTES_1(2, N)];

int edgeopt_consumer_check(void);

int edgeopt_consumer_check(void) {
    float params[N] = {1.0f, -2.0f, 0.5f};
    const float grads[N] = {0.25f, -4.0f, 0.0f};
    const size_t length = N;
    edgeopt_optimizer opt;
    edgeopt_tensor tensor = edgeopt_tensor_f32(params, grads, N);
    edgeopt_config config = edgeopt_defaults(EDGEOPT_SGD);
    edgeopt_status status;

    EDGEOPT_OPTIONS(config).sgd.lr = 0.5;
    status = edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena);
    if (status == EDGEOPT_OK) status = edgeopt_step(&opt, &tensor, 1);
    if (status != EDGEOPT_OK) {
        printf("edgeopt: %s\n", edgeopt_status_message(status));
        return 1;
    }
    /* Plain SGD: p - 0.5 g, exact in float32. */
    if (params[0] != 0.875f || params[1] != 0.0f || params[2] != 0.5f) {
        printf("sgd step gave %g %g %g\n", (double)params[0], (double)params[1], (double)params[2]);
        return 1;
    }
    /* Adam's first step moves each parameter by lr against the gradient's
     * sign (m/sqrt(v) = sign(g), up to eps): 1e-3 for the defaults. */
    config = edgeopt_defaults(EDGEOPT_ADAM);
    status = edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena);
    if (status == EDGEOPT_OK) status = edgeopt_step(&opt, &tensor, 1);
    if (status != EDGEOPT_OK || !(params[0] < 0.875f && params[0] > 0.8739f) || !(params[1] > 0.0009f) ||
        params[2] != 0.5f) {
        printf("adam step: status %d, params %g %g %g\n", (int)status, (double)params[0], (double)params[1],
               (double)params[2]);
        return 1;
    }
    if (strcmp(edgeopt_version(), EDGEOPT_VERSION_STRING) != 0) {
        printf("library %s, headers %s\n", edgeopt_version(), EDGEOPT_VERSION_STRING);
        return 1;
    }
    printf("consumer ok: edgeopt %s, kernel %s\n", edgeopt_version(), edgeopt_isa_name(edgeopt_get_isa(&opt)));
    return 0;
}
