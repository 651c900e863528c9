/* SPDX-License-Identifier: Apache-2.0
 *
 * The public C headers as a C99, C11 or C++11..20 user sees them: every
 * spelling of the options unions, the tensor initialiser, the version.
 * Compiled by tests/headers/CMakeLists.txt in each language mode with
 * -pedantic-errors -Werror; the C99 builds also run, linked against the
 * library (compiled with the anonymous unions), so a field written here
 * must be the one the library reads: the layouts agree. */
#include <stdio.h>
#include <string.h>

#include "edgeopt/checkpoint.h"
#include "edgeopt/edgeopt.h"
#include "edgeopt/train.h"
#include "edgeopt/version.h"

static int failures = 0;

static void check(int ok, const char* what) {
    if (!ok) {
        printf("FAILED: %s\n", what);
        ++failures;
    }
}

int main(void) {
    edgeopt_config config = edgeopt_defaults(EDGEOPT_SGD);
    edgeopt_schedule_config schedule = edgeopt_schedule_defaults(EDGEOPT_SCHEDULE_STEP);
    static unsigned char arena[EDGEOPT_ARENA_BYTES_1(1, 4)];
    float params[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    const float grads[4] = {1.0f, -1.0f, 2.0f, 0.0f};
    const size_t length = 4;
    edgeopt_optimizer opt;
    edgeopt_tensor tensor;

    EDGEOPT_OPTIONS(config).sgd.lr = 0.5;
#if defined(EDGEOPT_NAMED_UNIONS)
    config.options.sgd.momentum = 0.9;
#else
    config.sgd.momentum = 0.9;
#endif
    check(*edgeopt_config_lr(&config) == 0.5, "the library reads the lr written here");
    check(edgeopt_state_slots(&config) == 1, "the library reads the momentum written here");

    EDGEOPT_OPTIONS(schedule).step.step_size = 2;
    EDGEOPT_OPTIONS(schedule).step.gamma = -1.0;
    check(edgeopt_schedule_validate(&schedule) == EDGEOPT_ERR_INVALID_SCHEDULE, "the library reads gamma");
    EDGEOPT_OPTIONS(schedule).step.gamma = 0.5;
    check(edgeopt_schedule_validate(&schedule) == EDGEOPT_OK, "a valid StepLR");

    check(edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena) == EDGEOPT_OK, "init");
    tensor = edgeopt_tensor_f32(params, grads, length);
    check(tensor.param_dtype == EDGEOPT_F32 && tensor.grad_dtype == EDGEOPT_F32, "edgeopt_tensor_f32 is float32");
    check(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK, "step");
    /* First SGD-momentum step: the buffer is the gradient, p -= lr * g. */
    check(params[0] == 0.5f && params[1] == 2.5f && params[2] == 2.0f && params[3] == 4.0f, "p - 0.5 g");

    check(strcmp(edgeopt_version(), EDGEOPT_VERSION_STRING) == 0, "edgeopt_version() matches version.h");
    check(EDGEOPT_VERSION == EDGEOPT_VERSION_MAJOR * 10000 + EDGEOPT_VERSION_MINOR * 100 + EDGEOPT_VERSION_PATCH,
          "EDGEOPT_VERSION");
    if (failures == 0) printf("headers: all checks passed\n");
    return failures == 0 ? 0 : 1;
}
